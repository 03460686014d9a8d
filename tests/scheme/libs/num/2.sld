;; a library name with an integer part: (num 2)
(define-library (num 2) (export two) (import (scheme base)) (begin (define two 2)))
