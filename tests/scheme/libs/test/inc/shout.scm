;; included with include-ci: read with case folding
(DEFINE (SHOUT X) (LIST 'HELLO X))
