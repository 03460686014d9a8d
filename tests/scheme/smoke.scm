;;; smoke.scm -- a first pass over the basics.
(test "fact" 2432902008176640000 (let f ((n 20)) (if (= n 0) 1 (* n (f (- n 1))))))
(test "car error is caught" 'caught (guard (e (#t 'caught)) (car 1)))
(test-error-kind "unbound variable" unbound-variable no-such-variable)
(test-assert "procedure?" (procedure? car))
