;; sample.scm -- printed by the hosted pith and by the kernel, compared
;; line by line (tests/metal/run.sh): exactly, except lines starting with ~
;; (transcendental results, which may differ in the last bit between C
;; libraries), compared with a relative tolerance.
(import (scheme base) (scheme write) (scheme inexact) (scheme char) (scheme process-context))
(define (show . xs) (for-each display xs) (newline))
(show (command-line))
(show (expt 7 77))
(show (inexact 1/3) " " (sqrt 2) " " (sqrt -4) " " (exact (floor 2.5)))
(show (string-upcase "straße λ") " " (char-upcase #\ÿ))
(show (list->string (map char-downcase (string->list "ΑΒΓ"))))
(show (/ 1 3) " " (* 1.5 1e300 1e10) " " (- (* 1.5 1e300 1e10)) " " (/ 0. 0.))
(show (number->string 255 16) " " (string->number "#b1010") " " (inexact 12345678901234567890))
(let ((v (make-vector 5 0)))
  (let loop ((i 0)) (when (< i 5) (vector-set! v i (* i i)) (loop (+ i 1))))
  (show v))
(show "~ " (sin 1) " " (cos 1) " " (tan 1) " " (exp 1) " " (log 10))
(show "~ " (asin 0.5) " " (acos 0.5) " " (atan 1 2) " " (exp -20) " " (expt 2.5 3.7))
(show (call-with-current-continuation (lambda (k) (+ 1 (k 42)))))
(show (with-exception-handler (lambda (e) 0) (lambda () (+ 1 (raise-continuable 'oops)))))
(show (guard (e ((error-object? e) (list (error-object-message e) (error-object-irritants e)))) (vector-ref (vector 1 2) 5)))
