;; usage: pith big-list.scm N -- a list (1 ... N), printed with write to a
;; string, copied, read back and compared
(define n (string->number (cadr (command-line))))
(define (build i acc) (if (= i 0) acc (build (- i 1) (cons i acc))))
(define l (build n '()))
(define s (let ((p (open-output-string))) (write l p) (get-output-string p)))
(display (string-length s)) (newline)
(display (equal? l (list-copy l))) (newline)
(define back (read (open-input-string s)))
(display (length back)) (newline)
(display (equal? l back)) (newline)
