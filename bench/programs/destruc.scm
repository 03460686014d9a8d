(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 125000 expected: (51 51 51 52 52 52 52 52 52 60)
;;; destruc.scm -- Gabriel's "destructive" benchmark: N rounds of
;;; destructive list surgery (set-car!, set-cdr!, appending in place) on a
;;; spine of 10 lists.  A round whose first list is empty refills every
;;; list with 50 fresh cells; any other round walks the adjacent pairs of
;;; lists, cuts each in half, numbers the cells it walks, and splices the
;;; back half of each list onto the front half of the next.  The result is
;;; the list of the 10 lengths at the end.

(define n (read))
(define expected (read))

(define cells-per-refill 50)

(define (empty-cells k)
  (do ((i k (- i 1))
       (acc '() (cons '() acc)))
      ((= i 0) acc)))

;; Appends tail to the non-empty list lst in place.
(define (append-in-place! lst tail)
  (let loop ((p lst))
    (if (null? (cdr p))
        (set-cdr! p tail)
        (loop (cdr p)))))

;; Sets the car of the first k cells of lst to mark; returns the cell
;; after them.
(define (mark-cells! lst k mark)
  (do ((j k (- j 1))
       (p lst (cdr p)))
      ((= j 0) p)
    (set-car! p mark)))

(define (refill! spine m)
  (do ((s spine (cdr s)))
      ((null? s))
    (if (null? (car s))
        (set-car! s (cons '() '())))
    (append-in-place! (car s) (empty-cells m))))

;; Keeps the front half of the list in (car s), marking its cells, and
;; returns the back half.
(define (take-back-half! s mark)
  (let ((half (quotient (length (car s)) 2)))
    (if (= half 0)
        (begin (set-car! s '()) '())
        (let ((last-kept (mark-cells! (car s) (- half 1) mark)))
          (let ((back (cdr last-kept)))
            (set-cdr! last-kept '())
            back)))))

(define (shuffle! spine mark)
  (do ((s1 spine (cdr s1))
       (s2 (cdr spine) (cdr s2)))
      ((null? s2))
    (let ((cut (mark-cells! (car s2) (quotient (length (car s2)) 2) mark)))
      (set-cdr! cut (take-back-half! s1 mark)))))

(define (destructive rounds m)
  (let ((spine (empty-cells 10)))
    (do ((i rounds (- i 1)))
        ((= i 0) spine)
      (if (null? (car spine))
          (refill! spine m)
          (shuffle! spine i)))))

(define result (map length (destructive n cells-per-refill)))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
