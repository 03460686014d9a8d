(define-library (test uses-counter)
  (export next-twice!)
  (import (scheme base) (test counter))
  (begin (define (next-twice!) (next!) (next!))))
