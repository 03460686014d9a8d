;; usage: pith deep-recursion.scm N -- N nested non-tail calls
(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1)))))
(display (f (string->number (cadr (command-line)))))
(newline)
