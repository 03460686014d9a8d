;;; prelude.scm -- list procedures the expander and the macros need.
;;;
;;; Loaded through boot0's %expand0, so it uses only the forms %expand0
;;; knows (let let* letrec named-let cond case and or when unless do
;;; quasiquote, leading internal definitions).
;;;
;;; SPDX-License-Identifier: MIT

;; Until base.scm defines the real one: errors stop the boot.
(define (raise obj) (%abort obj))

(define (error message . irritants)
  (raise (%make-condition 'error (if (string? message) message (%write-to-string message 0)) irritants)))

(define (%list-error who what x)
  (error (string-append who ": expected " what ", got") x))

;; map and for-each over one or more lists, stopping at the shortest.
;; Results are accumulated and reversed, never built by mutation, so a
;; continuation captured in f and re-entered does not change an earlier
;; result (R7RS 6.10).
(define (%map1 f l)
  (let loop ((l l) (acc '()))
    (cond ((pair? l) (loop (cdr l) (cons (f (car l)) acc)))
          ((null? l) (reverse acc))
          (else (error "map: expected a list, got" l)))))

(define (%any-null? ls)
  (cond ((null? ls) #f)
        ((pair? (car ls)) (%any-null? (cdr ls)))
        ((null? (car ls)) #t)
        (else (error "expected a list, got" (car ls)))))

(define (map f l . ls)
  (if (null? ls)
      (%map1 f l)
      (let loop ((ls (cons l ls)) (acc '()))
        (if (%any-null? ls)
            (reverse acc)
            (loop (%map1 cdr ls) (cons (apply f (%map1 car ls)) acc))))))

(define (for-each f l . ls)
  (if (null? ls)
      (let loop ((l l))
        (cond ((pair? l) (f (car l)) (loop (cdr l)))
              ((null? l) (if #f #f))
              (else (error "for-each: expected a list, got" l))))
      (let loop ((ls (cons l ls)))
        (if (%any-null? ls)
            (if #f #f)
            (begin (apply f (%map1 car ls)) (loop (%map1 cdr ls)))))))

(define (filter pred l)
  (let loop ((l l) (acc '()))
    (cond ((null? l) (reverse acc))
          ((pred (car l)) (loop (cdr l) (cons (car l) acc)))
          (else (loop (cdr l) acc)))))

(define (remove pred l) (filter (lambda (x) (not (pred x))) l))

(define (fold kons knil l)
  (let loop ((l l) (acc knil))
    (if (pair? l) (loop (cdr l) (kons (car l) acc)) acc)))

(define (fold-right kons knil l)
  (let loop ((l (reverse l)) (acc knil))
    (if (pair? l) (loop (cdr l) (kons (car l) acc)) acc)))

(define (any pred l)
  (let loop ((l l))
    (cond ((null? l) #f)
          ((pred (car l)) => (lambda (x) x))
          (else (loop (cdr l))))))

(define (every pred l)
  (let loop ((l l) (last #t))
    (if (null? l)
        last
        (let ((r (pred (car l))))
          (and r (loop (cdr l) r))))))

(define (find pred l)
  (let loop ((l l))
    (cond ((null? l) #f)
          ((pred (car l)) (car l))
          (else (loop (cdr l))))))

(define (list-index pred l)
  (let loop ((l l) (i 0))
    (cond ((null? l) #f)
          ((pred (car l)) i)
          (else (loop (cdr l) (+ i 1))))))

(define (delete x l) (remove (lambda (y) (equal? x y)) l))

(define (last l) (car (last-pair l)))

(define (iota n . rest)
  (let ((start (if (pair? rest) (car rest) 0))
        (step (if (and (pair? rest) (pair? (cdr rest))) (cadr rest) 1)))
    (let loop ((i (- n 1)) (acc '()))
      (if (< i 0) acc (loop (- i 1) (cons (+ start (* i step)) acc))))))

;;; c[ad]r compositions (scheme cxr)

(define (caaar x) (car (car (car x))))
(define (caadr x) (car (car (cdr x))))
(define (cadar x) (car (cdr (car x))))
(define (cdaar x) (cdr (car (car x))))
(define (cdadr x) (cdr (car (cdr x))))
(define (cddar x) (cdr (cdr (car x))))
(define (caaaar x) (car (car (car (car x)))))
(define (caaadr x) (car (car (car (cdr x)))))
(define (caadar x) (car (car (cdr (car x)))))
(define (caaddr x) (car (car (cdr (cdr x)))))
(define (cadaar x) (car (cdr (car (car x)))))
(define (cadadr x) (car (cdr (car (cdr x)))))
(define (caddar x) (car (cdr (cdr (car x)))))
(define (cdaaar x) (cdr (car (car (car x)))))
(define (cdaadr x) (cdr (car (car (cdr x)))))
(define (cdadar x) (cdr (car (cdr (car x)))))
(define (cdaddr x) (cdr (car (cdr (cdr x)))))
(define (cddaar x) (cdr (cdr (car (car x)))))
(define (cddadr x) (cdr (cdr (car (cdr x)))))
(define (cdddar x) (cdr (cdr (cdr (car x)))))

(define (caddr x) (car (cdr (cdr x))))
(define (cdddr x) (cdr (cdr (cdr x))))
(define (cadddr x) (car (cdr (cdr (cdr x)))))
(define (cddddr x) (cdr (cdr (cdr (cdr x)))))

;; member and assoc with an optional equivalence predicate.
(define (member x l . compare)
  (if (null? compare)
      (%member x l)
      (let ((same? (car compare)))
        (let loop ((l l))
          (cond ((null? l) #f)
                ((same? x (car l)) l)
                (else (loop (cdr l))))))))

(define (assoc x l . compare)
  (if (null? compare)
      (%assoc x l)
      (let ((same? (car compare)))
        (let loop ((l l))
          (cond ((null? l) #f)
                ((same? x (car (car l))) (car l))
                (else (loop (cdr l))))))))
