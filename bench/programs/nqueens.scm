(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 11 expected: 2680
;;; nqueens: count every placement of n queens on an n-by-n board with
;;; no two attacking each other.  Queens are placed row by row; the
;;; placed ones are kept in a list, most recent row first.  The count is
;;; done `rounds' times (so size 11 takes about a second on Pith; each
;;; size up costs about 5x); the result is the count of the last round.

(define n (read))
(define expected (read))

;; Does a queen in column col, on the row just after the queens in
;; placed, avoid all of them?  dist is the row distance to (car placed).
(define (safe? col placed)
  (let loop ((rest placed) (dist 1))
    (cond ((null? rest) #t)
          ((let ((c (car rest)))
             (or (= c col)
                 (= c (+ col dist))
                 (= c (- col dist))))
           #f)
          (else (loop (cdr rest) (+ dist 1))))))

;; Count completions of the partial board placed, which has row queens.
(define (count-from row placed size)
  (if (= row size)
      1
      (let loop ((col 0) (total 0))
        (if (= col size)
            total
            (loop (+ col 1)
                  (if (safe? col placed)
                      (+ total (count-from (+ row 1) (cons col placed) size))
                      total))))))

(define (queens size)
  (count-from 0 '() size))

(define rounds 2)

(define result
  (let loop ((i 1) (count (queens n)))
    (if (= i rounds)
        count
        (loop (+ i 1) (queens n)))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
