package expr

func (c *compiler) switchStmt(s *switchStmt) (execFn, error) {
	x, err := c.value(s.x)
	if err != nil {
		return nil, err
	}
	type section struct {
		labels []evalFn // nil entry: default
		body   execFn
	}
	var secs []section
	c.switches++
	defer func() { c.switches-- }()
	for _, sec := range s.sections {
		var cs section
		for _, l := range sec.labels {
			if l == nil {
				cs.labels = append(cs.labels, nil)
				continue
			}
			lv, err := c.value(l)
			if err != nil {
				return nil, err
			}
			cs.labels = append(cs.labels, lv.fn)
		}
		body, err := c.block(&blockStmt{p: s.p, stmts: sec.stmts})
		if err != nil {
			return nil, err
		}
		cs.body = body
		secs = append(secs, cs)
	}
	xf := x.fn
	return func(e *Env) (ctrl, any, error) {
		v, err := xf(e)
		if err != nil {
			return cNone, nil, err
		}
		chosen := -1
		for i, sec := range secs {
			for _, l := range sec.labels {
				if l == nil {
					if chosen < 0 {
						chosen = i // default, unless a case matches
					}
					continue
				}
				lv, err := l(e)
				if err != nil {
					return cNone, nil, err
				}
				if Equal(v, lv) {
					return runSection(e, sec.body)
				}
			}
		}
		if chosen >= 0 {
			return runSection(e, secs[chosen].body)
		}
		return cNone, nil, nil
	}, nil
}

// runSection runs a switch section; break ends the switch.
func runSection(e *Env, body execFn) (ctrl, any, error) {
	k, v, err := body(e)
	if k == cBreak {
		k = cNone
	}
	return k, v, err
}
