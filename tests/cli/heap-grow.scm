;; an ever-growing list: must stop at the heap limit with heap-exhausted
(define (grow l) (grow (cons (make-vector 10 0) l)))
(grow '())
(display "not reached")
