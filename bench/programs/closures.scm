(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 3800 expected: 453210
;; closures: n rounds; round r builds a list of 40 closures (adders and
;; modular scalers capturing r), composes them with a fold into a single
;; procedure, maps it over the list 0..149, folds the images into a sum
;; and counts the images above a threshold with a counter closure that
;; keeps its state with set!, and a curried accumulator mixes both into a
;; running checksum modulo 1000003.  The result is the final checksum.

(define n (read))
(define expected (read))

(define modulus 1000003)

(define (make-adder k) (lambda (x) (+ x k)))
(define (make-scaler k) (lambda (x) (modulo (* x k) modulus)))
(define (compose f g) (lambda (x) (f (g x))))
(define (identity x) x)

(define (foldl f acc lst)
  (let loop ((acc acc) (lst lst))
    (if (null? lst)
        acc
        (loop (f acc (car lst)) (cdr lst)))))

(define (iota-list m)
  (let loop ((i (- m 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons i acc)))))

(define (make-counter)
  (let ((count 0))
    (lambda (msg)
      (case msg
        ((bump) (set! count (+ count 1)) count)
        ((get) count)
        (else #f)))))

(define (filter-count pred lst)
  (let ((counter (make-counter)))
    (for-each (lambda (x) (when (pred x) (counter 'bump))) lst)
    (counter 'get)))

(define (mixer weight)
  (lambda (acc)
    (lambda (value)
      (modulo (+ (* acc weight) value) modulus))))

(define closure-indices (iota-list 40))
(define inputs (iota-list 150))

(define (round-value r)
  (let* ((fs (map (lambda (k)
                    (if (even? k)
                        (make-adder (+ k r))
                        (make-scaler (+ k 2 (modulo r 7)))))
                  closure-indices))
         (f (foldl compose identity fs))
         (images (map f inputs))
         (sum (foldl (lambda (acc v) (modulo (+ acc v) modulus)) 0 images))
         (big (filter-count (lambda (v) (> v (quotient modulus 2))) images)))
    (+ (* sum 1000) big)))

(define result
  (let ((mix (mixer 31)))
    (let loop ((r 0) (checksum 0))
      (if (= r n)
          checksum
          (loop (+ r 1) ((mix checksum) (round-value r)))))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
