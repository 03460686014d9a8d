;; cond-expand among library declarations
(define-library (test features)
  (export which-os which-scheme)
  (import (scheme base))
  (cond-expand
    ((and r7rs (or posix unikernel)) (begin (define which-os 'known)))
    (else (begin (define which-os 'unknown))))
  (cond-expand
    ((library (scheme base)) (begin (define which-scheme 'has-base)))
    (else (begin (define which-scheme 'no-base))))
  (cond-expand
    (no-such-feature (begin (define bogus 1)))))
