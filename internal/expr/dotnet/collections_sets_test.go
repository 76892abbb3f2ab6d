package dotnet

import "testing"

func TestSetsQueuesStacks(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"hashset add", `var s = new HashSet<string>(); s.Add("a"); var again = s.Add("a"); return again + ":" + s.Count;`, "string:False:1"},
		{"hashset initializer", `var s = new HashSet<string> { "a", "b", "a" }; return s.Count;`, "int:2"},
		{"hashset from list", `var s = new HashSet<string>(new[] { "x", "y", "x" }); return string.Join(",", s);`, "string:x,y"},
		{"hashset ignore case", `var s = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Admin" }; return s.Contains("ADMIN");`, "bool:True"},
		{"hashset from list ignore case", `var s = new HashSet<string>(new[] { "A" }, StringComparer.OrdinalIgnoreCase); return s.Contains("a");`, "bool:True"},
		{"hashset remove", `var s = new HashSet<int> { 1, 2 }; var r = s.Remove(1); return r + ":" + s.Contains(1) + ":" + s.Count;`, "string:True:False:1"},
		{"hashset linq", `var s = new HashSet<int> { 3, 1, 2 }; return s.Where(x => x > 1).Sum();`, "int:5"},
		{"hashset union", `var s = new HashSet<string> { "a" }; s.UnionWith(new[] { "a", "b" }); return s.Count;`, "int:2"},
		{"queue", `var q = new Queue<string>(); q.Enqueue("a"); q.Enqueue("b"); var first = q.Dequeue(); return first + q.Peek() + q.Count;`, "string:ab1"},
		{"stack", `var s = new Stack<int>(); s.Push(1); s.Push(2); var top = s.Pop(); return top * 10 + s.Peek();`, "int:21"},
		{"stack enumerates from top", `var s = new Stack<string>(new[] { "a", "b", "c" }); return string.Join(",", s);`, "string:c,b,a"},
		{"queue from list", `var q = new Queue<string>(new List<string> { "a", "b" }); return q.Contains("b") + ":" + q.Count;`, "string:True:2"},
	})
	runErrCases(t, false, []errCase{
		{"empty queue", `var q = new Queue<string>(); return q.Dequeue();`, Block, "1:39: Queue.Dequeue: the queue is empty"},
		{"empty stack", `var s = new Stack<string>(); return s.Pop();`, Block, "1:39: Stack.Pop: the stack is empty"},
	})
}
