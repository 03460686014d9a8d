;; library declarations, spliced by include-library-declarations
(export twice)
(import (scheme base))
(begin (define (twice x) (* 2 x)))
