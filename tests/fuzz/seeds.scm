;; seeds.scm -- the program whose saved image seeds the image fuzzer
;; (tests/fuzz/make-seeds.sh).  It saves while holding a continuation in
;; the middle of a loop, with closures, boxes (set! variables), a record,
;; a parameter, a hash table, a bignum, a flonum and strings, so that the
;; fuzzer's mutations reach every kind of object the loader checks.
(import (scheme base) (scheme write) (scheme process-context) (pith image) (srfi 69))
(define-record-type point (make-point x y) point? (x point-x) (y point-y set-point-y!))
(define p (make-parameter 10))
(define t (make-hash-table))
(hash-table-set! t 'big (expt 3 90))
(define k-saved #f)
(define (count-to n)
  (let ((total 0.5) (name "λ-seed"))
    (let loop ((i 0))
      (when (< i n)
        (set! total (+ total i))
        (when (= i 2)
          (call/cc (lambda (k) (set! k-saved k)))
          (parameterize ((p 20))
            (display (list (save-image (car (command-line-arguments-or-default))) (p)))
            (newline)))
        (loop (+ i 1))))
    (list total name (point-x (make-point 1 2)) (hash-table-ref/default t 'big 0))))
(define (command-line-arguments-or-default)
  (let ((args (cdr (command-line))))
    (if (null? args) (list "seed.img") args)))
(write (count-to 5))
(newline)
