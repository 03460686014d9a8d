;; exit runs the outstanding dynamic-wind "after" thunks (R7RS 6.14)
(dynamic-wind
  (lambda () (display "in "))
  (lambda () (exit 2) (display "not here"))
  (lambda () (display "after") (newline)))
(display "not here either")
