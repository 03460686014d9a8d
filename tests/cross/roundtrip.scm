;; roundtrip.scm -- saved on one architecture, resumed on another
;; (tests/cross/run.sh).  It holds a continuation, a bignum, a flonum, a
;; string outside Latin-1 and a record while it saves at its second and
;; third iterations.
(import (scheme base) (scheme write) (pith image))
(define-record-type thing (make-thing name big flo text) thing?
  (name thing-name) (big thing-big) (flo thing-flo) (text thing-text))
(define t (make-thing 'rec (expt 7 150) 3.141592653589793 "Ωμέγα→∞ λ"))
(define k #f)
(define table (vector 1/3 -2.5e-300 #\x1F600 (string->symbol "sym-λ")))
(let loop ((i 1))
  (when (<= i 4)
    (call/cc (lambda (c) (set! k c)))
    (write (list i (thing-name t) (thing-big t) (thing-flo t) (thing-text t)
                 (procedure? k) table (* (thing-flo t) i)))
    (newline)
    (when (= i 2) (write (save-image "a.img")) (newline))
    (when (= i 3) (write (save-image "b.img")) (newline))
    (loop (+ i 1))))
