(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 175 expected: 21430061
;; matrix: A[i][j] = ((i + 2j) mod 11) - 3 and B[i][j] = ((3i + j) mod 13) - 4
;; are n x n matrices of fixnums stored as vectors of row vectors.  The
;; product C = A B is computed 5 times (a fresh C each time, by the triple
;; loop); the result is the sum of all the entries of the last C.

(define n (read))
(define expected (read))

(define reps 5)

(define (make-matrix rows cols f)
  (let ((m (make-vector rows #f)))
    (do ((i 0 (+ i 1))) ((= i rows) m)
      (let ((row (make-vector cols 0)))
        (do ((j 0 (+ j 1))) ((= j cols))
          (vector-set! row j (f i j)))
        (vector-set! m i row)))))

(define (matrix-multiply a b)
  (let* ((rows (vector-length a))
         (inner (vector-length b))
         (cols (vector-length (vector-ref b 0)))
         (c (make-matrix rows cols (lambda (i j) 0))))
    (do ((i 0 (+ i 1))) ((= i rows) c)
      (let ((a-row (vector-ref a i))
            (c-row (vector-ref c i)))
        (do ((j 0 (+ j 1))) ((= j cols))
          (let loop ((k 0) (s 0))
            (if (= k inner)
                (vector-set! c-row j s)
                (loop (+ k 1)
                      (+ s (* (vector-ref a-row k)
                              (vector-ref (vector-ref b k) j)))))))))))

(define (matrix-sum m)
  (let ((total 0))
    (do ((i 0 (+ i 1))) ((= i (vector-length m)) total)
      (let ((row (vector-ref m i)))
        (do ((j 0 (+ j 1))) ((= j (vector-length row)))
          (set! total (+ total (vector-ref row j))))))))

(define a (make-matrix n n (lambda (i j) (- (modulo (+ i (* 2 j)) 11) 3))))
(define b (make-matrix n n (lambda (i j) (- (modulo (+ (* 3 i) j) 13) 4))))

(define result
  (let loop ((r 0) (c #f))
    (if (= r reps)
        (matrix-sum c)
        (loop (+ r 1) (matrix-multiply a b)))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
