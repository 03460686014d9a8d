(import (scheme base) (scheme write) (scheme read) (scheme process-context))
;; size: 17 expected: 8344917
;; gcbench (after Boehm's GCBench): nodes are 2-slot vectors (left right),
;; a complete tree of depth d has 2^(d+1) - 1 nodes.  Builds and drops a
;; "stretch" tree of depth n+1, then builds a long-lived tree of depth n;
;; then for d = 4, 6, ..., n builds 2^(n-d+1) trees of depth d top-down (by
;; mutating empty nodes) and as many bottom-up, counting and discarding
;; each one; finally counts the long-lived tree again.  The result is the
;; total number of nodes counted.

(define n (read))
(define expected (read))

(define (make-node left right) (vector left right))
(define (left node) (vector-ref node 0))
(define (right node) (vector-ref node 1))

(define (bottom-up depth)
  (if (= depth 0)
      (make-node #f #f)
      (make-node (bottom-up (- depth 1)) (bottom-up (- depth 1)))))

(define (populate! depth node)
  (when (> depth 0)
    (let ((l (make-node #f #f))
          (r (make-node #f #f)))
      (vector-set! node 0 l)
      (vector-set! node 1 r)
      (populate! (- depth 1) l)
      (populate! (- depth 1) r))))

(define (top-down depth)
  (let ((root (make-node #f #f)))
    (populate! depth root)
    root))

(define (count-nodes node)
  (if node
      (+ 1 (count-nodes (left node)) (count-nodes (right node)))
      0))

(define (power-of-two k)
  (let loop ((k k) (p 1))
    (if (= k 0) p (loop (- k 1) (* 2 p)))))

(define (run-depth depth)
  ;; builds and drops the short-lived trees of one depth; returns their nodes
  (let ((iterations (power-of-two (+ (- n depth) 1))))
    (let loop ((i 0) (total 0))
      (if (= i iterations)
          total
          (let* ((a (count-nodes (top-down depth)))
                 (b (count-nodes (bottom-up depth))))
            (loop (+ i 1) (+ total a b)))))))

(define result
  (let* ((stretch (count-nodes (bottom-up (+ n 1))))
         (long-lived (top-down n))
         (first-count (count-nodes long-lived)))
    (let loop ((depth 4) (total (+ stretch first-count)))
      (if (> depth n)
          (+ total (count-nodes long-lived))
          (loop (+ depth 2) (+ total (run-depth depth)))))))

(write result) (newline)
(if (not (equal? result expected)) (begin (display "wrong result") (newline) (exit 1)))
