;; usage: pith tail-loops.scm KIND N -- a loop of N iterations in tail
;; position; must run in constant memory
(define kind (string->symbol (cadr (command-line))))
(define n (string->number (caddr (command-line))))
(define (plain i) (if (= i 0) 'done (plain (- i 1))))
(define (my-even? i) (if (= i 0) #t (my-odd? (- i 1))))
(define (my-odd? i) (if (= i 0) #f (my-even? (- i 1))))
(define (mixed i acc)
  (cond ((= i 0) acc)
        ((odd? i) (and #t (mixed (- i 1) (+ acc 1))))
        (else (case (remainder i 4)
                ((0) (when #t (let* ((j (- i 1))) (apply mixed (list j acc)))))
                (else (or #f (mixed (- i 1) acc)))))))
(write
 (case kind
   ((plain) (plain n))
   ((alloc) (let loop ((i n) (junk '()))
              (if (= i 0) (length junk) (loop (- i 1) (list i (make-vector 4 i))))))
   ((mutual) (my-even? n))
   ((mixed) (mixed n 0))
   ((do) (do ((i 0 (+ i 1)) (s 0 (+ s i))) ((= i n) s)))))
(newline)
