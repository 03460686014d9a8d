(define-library (test bad-export) (export missing) (import (scheme base)) (begin (define x 1)))
