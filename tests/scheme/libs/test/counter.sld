;; loaded once: the counter is shared by every importer
(define-library (test counter)
  (export next! loads)
  (import (scheme base))
  (begin
    (define n 0)
    (define loads 0)
    (set! loads (+ loads 1))
    (define (next!) (set! n (+ n 1)) n)))
