;; included by stack.sld
(define-record-type stack (%make-stack items) stack? (items stack-items set-stack-items!))
(define (make-stack) (%make-stack '()))
(define (push! s x) (set-stack-items! s (cons x (stack-items s))))
(define (stack-pop s)
  (let ((x (car (stack-items s))))
    (set-stack-items! s (cdr (stack-items s)))
    x))
(define (stack-size s) (length (stack-items s)))
