(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 1000000 expected: (1048575 134661)
;;; string.scm -- a string builder and a naive searcher.  Starting from
;;; "abc", the builder grows a string with string-append and substring
;;; (the string, a rotation of it, and one more letter) until it is at
;;; least N characters long; the searcher then counts the occurrences,
;;; overlapping ones included, of the pattern "cab" by comparing the
;;; pattern at every position.  Built and searched 7 times; the result
;;; is the list of the final string's length and the occurrence count.

(define n (read))
(define expected (read))

(define repeats 7)

(define letters "abc")
(define pattern "cab")

;; The string s, s rotated left by an amount that depends on step, and a
;; letter chosen by step.
(define (grow s step)
  (let* ((len (string-length s))
         (k (modulo (* 7 step) len)))
    (string-append s
                   (substring s k len)
                   (substring s 0 k)
                   (make-string 1 (string-ref letters (modulo step 3))))))

(define (build min-length)
  (let loop ((s (substring letters 0 3)) (step 1))
    (if (>= (string-length s) min-length)
        s
        (loop (grow s step) (+ step 1)))))

;; Does pat occur in s at position i?  (i + length of pat <= length of s.)
(define (match-at? s pat i)
  (let ((m (string-length pat)))
    (let loop ((j 0))
      (cond ((= j m) #t)
            ((char=? (string-ref s (+ i j)) (string-ref pat j)) (loop (+ j 1)))
            (else #f)))))

(define (count-occurrences s pat)
  (let ((last (- (string-length s) (string-length pat))))
    (do ((i 0 (+ i 1))
         (count 0 (if (match-at? s pat i) (+ count 1) count)))
        ((> i last) count))))

(define (run min-length times)
  (let loop ((t times) (last '()))
    (if (= t 0)
        last
        (let ((s (build min-length)))
          (loop (- t 1)
                (list (string-length s) (count-occurrences s pattern)))))))

(define result (run n repeats))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
