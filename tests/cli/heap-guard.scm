;; the heap-exhausted condition can be caught; the program then goes on
(define (grow l) (grow (cons (make-vector 10 0) l)))
(guard (e (#t (display "caught") (newline)))
  (grow '()))
(display (length (make-list 1000 0)))
(newline)
