// Command static stands in for a Gatehouse binary in the image tests: a
// small static program that prints its arguments.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println(os.Args[1:]) }
