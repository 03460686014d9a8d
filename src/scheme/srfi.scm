;;; srfi.scm -- the SRFI libraries in the boot image: (srfi 1) lists,
;;; (srfi 8) receive, (srfi 23) error, (srfi 39) parameters, (srfi 69)
;;; hash tables (over the core's tables, plus weak tables), (srfi 132)
;;; sorting.  Their names are system names, so the REPL has them all; a
;;; program sees them only when it imports the library.  The export lists
;;; are at the end (%srfi-library-exports).
;;;
;;; Written from the SRFI documents' specifications.  The linear-update
;;; procedures (those ending in !) are allowed by SRFI 1 to behave as
;;; their pure versions, and do.
;;;
;;; SPDX-License-Identifier: MIT

;;; ==== SRFI 1 ====

;; the cars and the cdrs of lists, or #f when one of them has ended
(define (%cars+cdrs lists)
  (let loop ((ls lists) (cars '()) (cdrs '()))
    (cond ((null? ls) (cons (reverse cars) (reverse cdrs)))
          ((pair? (car ls)) (loop (cdr ls) (cons (caar ls) cars) (cons (cdar ls) cdrs)))
          (else #f))))

(define (%check-index who k)
  (if (not (and (exact-integer? k) (>= k 0)))
      (error (string-append who ": expected a non-negative exact integer, got") k)))

;; constructors
(define (xcons a b) (cons b a))
(define (list-tabulate n proc)
  (%check-index "list-tabulate" n)
  (let loop ((i (- n 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (proc i) acc)))))
(define (circular-list x . rest)
  (let ((l (cons x rest)))
    (set-cdr! (last-pair l) l)
    l))

;; predicates
(define (proper-list? x) (list? x))
(define (circular-list? x)
  (let loop ((slow x) (fast x))
    (and (pair? fast)
         (let ((fast (cdr fast)))
           (and (pair? fast)
                (let ((fast (cdr fast)) (slow (cdr slow)))
                  (or (eq? fast slow) (loop slow fast))))))))
(define (dotted-list? x)
  (let loop ((slow x) (fast x))
    (cond ((null? fast) #f)
          ((not (pair? fast)) #t)
          (else
           (let ((fast (cdr fast)))
             (cond ((null? fast) #f)
                   ((not (pair? fast)) #t)
                   (else (let ((fast (cdr fast)) (slow (cdr slow)))
                           (if (eq? fast slow) #f (loop slow fast))))))))))
(define (not-pair? x) (not (pair? x)))
(define (null-list? l)
  (cond ((pair? l) #f)
        ((null? l) #t)
        (else (error "null-list?: expected a proper or circular list, got" l))))
(define (list= elt= . lists)
  (define (two a b)
    (let loop ((a a) (b b))
      (cond ((null? a) (null? b))
            ((null? b) #f)
            (else (and (elt= (car a) (car b)) (loop (cdr a) (cdr b)))))))
  (let loop ((ls lists))
    (or (null? ls) (null? (cdr ls))
        (and (two (car ls) (cadr ls)) (loop (cdr ls))))))

;; selectors
(define (first x) (car x))
(define (second x) (cadr x))
(define (third x) (caddr x))
(define (fourth x) (cadddr x))
(define (fifth x) (car (cddddr x)))
(define (sixth x) (cadr (cddddr x)))
(define (seventh x) (caddr (cddddr x)))
(define (eighth x) (cadddr (cddddr x)))
(define (ninth x) (car (cddddr (cddddr x))))
(define (tenth x) (cadr (cddddr (cddddr x))))
(define (car+cdr p) (values (car p) (cdr p)))
(define (take l k)
  (%check-index "take" k)
  (let loop ((l l) (k k) (acc '()))
    (if (= k 0)
        (reverse acc)
        (if (pair? l)
            (loop (cdr l) (- k 1) (cons (car l) acc))
            (error "take: the list is too short:" k)))))
(define (drop l k)
  (%check-index "drop" k)
  (let loop ((l l) (k k))
    (if (= k 0)
        l
        (if (pair? l) (loop (cdr l) (- k 1)) (error "drop: the list is too short:" k)))))
(define (take-right l k)
  (%check-index "take-right" k)
  (let loop ((lag l) (lead (drop l k)))
    (if (pair? lead) (loop (cdr lag) (cdr lead)) lag)))
(define (drop-right l k)
  (%check-index "drop-right" k)
  (let loop ((lag l) (lead (drop l k)) (acc '()))
    (if (pair? lead)
        (loop (cdr lag) (cdr lead) (cons (car lag) acc))
        (reverse acc))))
(define take! take)
(define drop-right! drop-right)
(define (split-at l k) (values (take l k) (drop l k)))
(define split-at! split-at)
(define (length+ x)
  (let loop ((slow x) (fast x) (n 0))
    (if (pair? fast)
        (let ((fast (cdr fast)) (n (+ n 1)))
          (if (pair? fast)
              (let ((fast (cdr fast)) (slow (cdr slow)) (n (+ n 1)))
                (if (eq? fast slow) #f (loop slow fast n)))
              n))
        n)))

;; miscellaneous
(define (concatenate lists) (apply append lists))
(define append! append)
(define concatenate! concatenate)
(define reverse! reverse)
(define (append-reverse rev tail)
  (let loop ((rev rev) (tail tail))
    (if (pair? rev) (loop (cdr rev) (cons (car rev) tail)) tail)))
(define append-reverse! append-reverse)
(define (zip l . ls) (apply map list l ls))
(define (unzip1 l) (map car l))
(define (unzip2 l) (values (map car l) (map cadr l)))
(define (unzip3 l) (values (map car l) (map cadr l) (map caddr l)))
(define (unzip4 l) (values (map car l) (map cadr l) (map caddr l) (map cadddr l)))
(define (unzip5 l) (values (map car l) (map cadr l) (map caddr l) (map cadddr l) (map (lambda (x) (car (cddddr x))) l)))
(define (count pred l . ls)
  (if (null? ls)
      (let loop ((l l) (n 0))
        (if (pair? l) (loop (cdr l) (if (pred (car l)) (+ n 1) n)) n))
      (let loop ((ls (cons l ls)) (n 0))
        (let ((cc (%cars+cdrs ls)))
          (if cc (loop (cdr cc) (if (apply pred (car cc)) (+ n 1) n)) n)))))

;; fold, unfold, map
(define (fold kons knil l . ls)
  (if (null? ls)
      (let loop ((l l) (acc knil))
        (if (pair? l) (loop (cdr l) (kons (car l) acc)) acc))
      (let loop ((ls (cons l ls)) (acc knil))
        (let ((cc (%cars+cdrs ls)))
          (if cc (loop (cdr cc) (apply kons (append (car cc) (list acc)))) acc)))))
(define (fold-right kons knil l . ls)
  (if (null? ls)
      (let loop ((l (reverse l)) (acc knil))
        (if (pair? l) (loop (cdr l) (kons (car l) acc)) acc))
      ;; the rows of elements, last first
      (let rows ((ls (cons l ls)) (acc '()))
        (let ((cc (%cars+cdrs ls)))
          (if cc
              (rows (cdr cc) (cons (car cc) acc))
              (let loop ((rs acc) (r knil))
                (if (pair? rs) (loop (cdr rs) (apply kons (append (car rs) (list r)))) r)))))))
(define (pair-fold kons knil l . ls)
  (if (null? ls)
      (let loop ((l l) (acc knil))
        (if (pair? l) (let ((next (cdr l))) (loop next (kons l acc))) acc))
      (let loop ((ls (cons l ls)) (acc knil))
        (if (every pair? ls)
            (let ((next (map cdr ls))) (loop next (apply kons (append ls (list acc)))))
            acc))))
(define (pair-fold-right kons knil l . ls)
  (let rows ((ls (cons l ls)) (acc '()))
    (if (every pair? ls)
        (rows (map cdr ls) (cons ls acc))
        (let loop ((rs acc) (r knil))
          (if (pair? rs) (loop (cdr rs) (apply kons (append (car rs) (list r)))) r)))))
(define (reduce f ridentity l)
  (if (null? l) ridentity (fold f (car l) (cdr l))))
(define (reduce-right f ridentity l)
  (if (null? l)
      ridentity
      (let loop ((rs (cdr (reverse l))) (acc (car (last-pair l))))
        (if (pair? rs) (loop (cdr rs) (f (car rs) acc)) acc))))
(define (unfold stop? mapper successor seed . tail-gen)
  (let loop ((seed seed) (acc '()))
    (if (stop? seed)
        (append-reverse acc (if (pair? tail-gen) ((car tail-gen) seed) '()))
        (loop (successor seed) (cons (mapper seed) acc)))))
(define (unfold-right stop? mapper successor seed . tail)
  (let loop ((seed seed) (acc (if (pair? tail) (car tail) '())))
    (if (stop? seed) acc (loop (successor seed) (cons (mapper seed) acc)))))
(define (append-map f l . ls) (apply append (apply map f l ls)))
(define append-map! append-map)
(define (pair-for-each f l . ls)
  (let loop ((ls (cons l ls)))
    (if (every pair? ls)
        (let ((next (map cdr ls))) (apply f ls) (loop next)))))
(define (filter-map f l . ls)
  (filter (lambda (x) x) (apply map f l ls)))
(define map-in-order map)   ; map already applies f from left to right

;; filtering
(define (partition pred l)
  (let loop ((l l) (in '()) (out '()))
    (cond ((null? l) (values (reverse in) (reverse out)))
          ((pred (car l)) (loop (cdr l) (cons (car l) in) out))
          (else (loop (cdr l) in (cons (car l) out))))))
(define filter! filter)
(define partition! partition)
(define remove! remove)

;; searching
(define (find-tail pred l)
  (let loop ((l l))
    (cond ((not (pair? l)) #f)
          ((pred (car l)) l)
          (else (loop (cdr l))))))
(define (find pred l)
  (let ((t (find-tail pred l))) (and t (car t))))
(define (any pred l . ls)
  (if (null? ls)
      (let loop ((l l))
        (cond ((not (pair? l)) #f)
              ((null? (cdr l)) (pred (car l)))   ; the last call is a tail call
              ((pred (car l)) => (lambda (x) x))
              (else (loop (cdr l)))))
      (let loop ((ls (cons l ls)))
        (let ((cc (%cars+cdrs ls)))
          (and cc (or (apply pred (car cc)) (loop (cdr cc))))))))
(define (every pred l . ls)
  (if (null? ls)
      (or (not (pair? l))
          (let loop ((l l))
            (if (null? (cdr l))
                (pred (car l))
                (and (pred (car l)) (loop (cdr l))))))
      (let loop ((ls (cons l ls)) (last #t))
        (let ((cc (%cars+cdrs ls)))
          (if cc
              (let ((r (apply pred (car cc)))) (and r (loop (cdr cc) r)))
              last)))))
(define (list-index pred l . ls)
  (let loop ((ls (cons l ls)) (i 0))
    (let ((cc (%cars+cdrs ls)))
      (cond ((not cc) #f)
            ((apply pred (car cc)) i)
            (else (loop (cdr cc) (+ i 1)))))))
(define (take-while pred l)
  (let loop ((l l) (acc '()))
    (if (and (pair? l) (pred (car l))) (loop (cdr l) (cons (car l) acc)) (reverse acc))))
(define take-while! take-while)
(define (drop-while pred l)
  (let loop ((l l))
    (if (and (pair? l) (pred (car l))) (loop (cdr l)) l)))
(define (span pred l)
  (let loop ((l l) (acc '()))
    (if (and (pair? l) (pred (car l)))
        (loop (cdr l) (cons (car l) acc))
        (values (reverse acc) l))))
(define (break pred l) (span (lambda (x) (not (pred x))) l))
(define span! span)
(define break! break)

;; deletion
(define (delete x l . same)
  (let ((same? (if (pair? same) (car same) equal?)))
    (remove (lambda (y) (same? x y)) l)))
(define delete! delete)
(define (delete-duplicates l . same)
  (let ((same? (if (pair? same) (car same) equal?)))
    (let loop ((l l) (acc '()))
      (if (pair? l)
          (loop (cdr l)
                (if (any (lambda (y) (same? y (car l))) acc) acc (cons (car l) acc)))
          (reverse acc)))))
(define delete-duplicates! delete-duplicates)

;; association lists
(define (alist-cons k v alist) (cons (cons k v) alist))
(define (alist-copy alist) (map (lambda (p) (cons (car p) (cdr p))) alist))
(define (alist-delete k alist . same)
  (let ((same? (if (pair? same) (car same) equal?)))
    (remove (lambda (p) (same? k (car p))) alist)))
(define alist-delete! alist-delete)

;; lists as sets
(define (%lset-member? = x l) (any (lambda (y) (= y x)) l))
(define (lset<= = . lists)
  (let loop ((ls lists))
    (or (null? ls) (null? (cdr ls))
        (and (every (lambda (x) (%lset-member? = x (cadr ls))) (car ls))
             (loop (cdr ls))))))
(define (lset= = . lists)
  (let loop ((ls lists))
    (or (null? ls) (null? (cdr ls))
        (and (every (lambda (x) (%lset-member? = x (cadr ls))) (car ls))
             (every (lambda (x) (%lset-member? = x (car ls))) (cadr ls))
             (loop (cdr ls))))))
(define (lset-adjoin = l . elts)
  (fold (lambda (x acc) (if (%lset-member? = x acc) acc (cons x acc))) l elts))
(define (lset-union = . lists)
  (if (null? lists)
      '()
      (fold (lambda (l acc)
              (fold (lambda (x acc) (if (%lset-member? = x acc) acc (cons x acc))) acc l))
            (car lists) (cdr lists))))
(define (lset-intersection = l . lists)
  (filter (lambda (x) (every (lambda (m) (%lset-member? = x m)) lists)) l))
(define (lset-difference = l . lists)
  (filter (lambda (x) (not (any (lambda (m) (%lset-member? = x m)) lists))) l))
(define (lset-xor = . lists)
  (fold (lambda (b a)
          (append (lset-difference = a b) (lset-difference = b a)))
        '() lists))
(define (lset-diff+intersection = l . lists)
  (partition (lambda (x) (not (any (lambda (m) (%lset-member? = x m)) lists))) l))
(define lset-union! lset-union)
(define lset-intersection! lset-intersection)
(define lset-difference! lset-difference)
(define lset-xor! lset-xor)
(define lset-diff+intersection! lset-diff+intersection)

;;; ==== SRFI 69: hash tables ====
;;
;; A table made with eq?, eqv?, equal?, string=? (and no hash function, or
;; the matching one of this library) is a core table: hashing by content
;; or by the identity hash kept in object headers, so the moving
;; collector never forces a rehash.  Any other equivalence (string-ci=?,
;; or a user's predicate with a user's hash function) gets a table of
;; buckets: a core eqv table from hash values to alists.

(define-record-type %custom-table
  (%make-custom-table same? hash buckets count)
  %custom-table?
  (same? %custom-same?)
  (hash %custom-hash)
  (buckets %custom-buckets %set-custom-buckets!)
  (count %custom-count %set-custom-count!))

(define %hash-bound 4294967296)   ; hash values are below this without a bound

(define (%check-bound who bound)
  (if (not (and (exact-integer? bound) (> bound 0)))
      (error (string-append who ": expected a positive exact integer bound, got") bound)))

(define (hash obj . bound)
  (let ((h (%hash 'equal obj)))
    (if (pair? bound) (begin (%check-bound "hash" (car bound)) (modulo h (car bound))) h)))
(define (hash-by-identity obj . bound)
  ;; numbers by value, so it suits eqv? tables too
  (let ((h (%hash 'eqv obj)))
    (if (pair? bound) (begin (%check-bound "hash-by-identity" (car bound)) (modulo h (car bound))) h)))
(define (string-hash s . bound)
  (if (not (string? s)) (error "string-hash: expected a string, got" s))
  (let ((h (%hash 'string s)))
    (if (pair? bound) (begin (%check-bound "string-hash" (car bound)) (modulo h (car bound))) h)))
(define (string-ci-hash s . bound)
  (if (not (string? s)) (error "string-ci-hash: expected a string, got" s))
  (apply string-hash (string-foldcase s) bound))

;; the core kind for an equivalence and hash function, or #f
(define (%native-kind same? h)
  (cond ((eq? same? eq?) (and (or (not h) (eq? h hash-by-identity)) 'eq))
        ((eq? same? eqv?) (and (or (not h) (eq? h hash-by-identity)) 'eqv))
        ((eq? same? equal?) (and (or (not h) (eq? h hash)) 'equal))
        ((eq? same? string=?) (and (or (not h) (eq? h string-hash)) 'string))
        (else #f)))

(define (make-hash-table . args)
  (let* ((same? (if (pair? args) (car args) equal?))
         (hash-fn (and (pair? args) (pair? (cdr args)) (cadr args))))
    (if (not (procedure? same?)) (error "make-hash-table: expected an equivalence procedure, got" same?))
    (if (and hash-fn (not (procedure? hash-fn))) (error "make-hash-table: expected a hash procedure, got" hash-fn))
    (let ((kind (%native-kind same? hash-fn)))
      (cond (kind (%make-hash-table kind))
            ((eq? same? string-ci=?)
             (%make-custom-table same? (or hash-fn string-ci-hash) (%make-hash-table 'eqv) 0))
            ((not hash-fn)
             ;; any equivalence finer than equal? works with hash
             (%make-custom-table same? hash (%make-hash-table 'eqv) 0))
            (else (%make-custom-table same? hash-fn (%make-hash-table 'eqv) 0))))))

;; (make-weak-hash-table): an eq? table whose keys are weak: an entry goes
;; away when nothing else refers to its key (values are held strongly).
(define (make-weak-hash-table) (%make-hash-table 'weak-eq))
(define (weak-hash-table? x) (and (%hash-table? x) (eq? (%table-kind x) 'weak-eq)))

(define (%table-kind t) (vector-ref '#(eq eqv equal string weak-eq) (%hash-table-kind t)))

(define (hash-table? x) (or (%hash-table? x) (%custom-table? x)))

(define (%check-table who t)
  (if (not (hash-table? t)) (error (string-append who ": expected a hash table, got") t)))

(define (%bucket-of t key)
  (let ((h ((%custom-hash t) key)))
    (if (not (exact-integer? h)) (error "hash table: the hash function returned a non-integer:" h))
    h))

;; the (key . value) pair of key in a custom table, or #f
(define (%custom-entry t key)
  (let ((bucket (%hash-table-ref (%custom-buckets t) (%bucket-of t key) '()))
        (same? (%custom-same? t)))
    (let loop ((b bucket))
      (cond ((null? b) #f)
            ((same? (caar b) key) (car b))
            (else (loop (cdr b)))))))

(define %missing (list 'missing))

(define (hash-table-ref t key . rest)
  (%check-table "hash-table-ref" t)
  (let ((v (if (%hash-table? t)
               (%hash-table-ref t key %missing)
               (let ((e (%custom-entry t key))) (if e (cdr e) %missing)))))
    (cond ((not (eq? v %missing))
           (if (and (pair? rest) (pair? (cdr rest))) ((cadr rest) v) v))
          ((and (pair? rest) (car rest)) ((car rest)))
          (else (error "hash-table-ref: no such key:" key)))))

(define (hash-table-ref/default t key default)
  (%check-table "hash-table-ref/default" t)
  (if (%hash-table? t)
      (%hash-table-ref t key default)
      (let ((e (%custom-entry t key))) (if e (cdr e) default))))

(define (hash-table-set! t key value)
  (%check-table "hash-table-set!" t)
  (if (%hash-table? t)
      (%hash-table-set! t key value)
      (let ((e (%custom-entry t key)))
        (if e
            (set-cdr! e value)
            (let ((h (%bucket-of t key)) (buckets (%custom-buckets t)))
              (%hash-table-set! buckets h (cons (cons key value) (%hash-table-ref buckets h '())))
              (%set-custom-count! t (+ (%custom-count t) 1)))))))

(define (hash-table-delete! t key)
  (%check-table "hash-table-delete!" t)
  (if (%hash-table? t)
      (%hash-table-delete! t key)
      (let ((e (%custom-entry t key)))
        (when e
          (let* ((h (%bucket-of t key)) (buckets (%custom-buckets t))
                 (rest (remove (lambda (p) (eq? p e)) (%hash-table-ref buckets h '()))))
            (if (null? rest) (%hash-table-delete! buckets h) (%hash-table-set! buckets h rest))
            (%set-custom-count! t (- (%custom-count t) 1))))))
  (if #f #f))

(define (hash-table-exists? t key)
  (%check-table "hash-table-exists?" t)
  (if (%hash-table? t)
      (not (eq? (%hash-table-ref t key %missing) %missing))
      (and (%custom-entry t key) #t)))
(define hash-table-contains? hash-table-exists?)

(define (hash-table-update! t key proc . rest)
  (hash-table-set! t key (proc (apply hash-table-ref t key rest))))
(define (hash-table-update!/default t key proc default)
  (hash-table-set! t key (proc (hash-table-ref/default t key default))))

(define (hash-table-size t)
  (%check-table "hash-table-size" t)
  (if (%hash-table? t) (%hash-table-count t) (%custom-count t)))

(define (hash-table->alist t)
  (%check-table "hash-table->alist" t)
  (if (%hash-table? t)
      (%hash-table-keys t 2)
      (map (lambda (p) (cons (car p) (cdr p)))
           (apply append (%hash-table-keys (%custom-buckets t) 1)))))
(define (hash-table-keys t) (map car (hash-table->alist t)))
(define (hash-table-values t) (map cdr (hash-table->alist t)))
(define (hash-table-walk t proc)
  (for-each (lambda (p) (proc (car p) (cdr p))) (hash-table->alist t)))
(define (hash-table-fold t kons knil)
  (fold (lambda (p acc) (kons (car p) (cdr p) acc)) knil (hash-table->alist t)))

(define (hash-table-equivalence-function t)
  (%check-table "hash-table-equivalence-function" t)
  (if (%hash-table? t)
      (case (%table-kind t) ((eq weak-eq) eq?) ((eqv) eqv?) ((equal) equal?) (else string=?))
      (%custom-same? t)))
(define (hash-table-hash-function t)
  (%check-table "hash-table-hash-function" t)
  (if (%hash-table? t)
      (case (%table-kind t) ((eq weak-eq eqv) hash-by-identity) ((equal) hash) (else string-hash))
      (%custom-hash t)))

(define (%empty-copy t)
  (if (%hash-table? t)
      (%make-hash-table (%table-kind t))
      (%make-custom-table (%custom-same? t) (%custom-hash t) (%make-hash-table 'eqv) 0)))

(define (hash-table-copy t . mutable)
  (%check-table "hash-table-copy" t)
  (let ((new (%empty-copy t)))
    (hash-table-walk t (lambda (k v) (hash-table-set! new k v)))
    new))

(define (hash-table-merge! t1 t2)
  (hash-table-walk t2 (lambda (k v) (if (not (hash-table-exists? t1 k)) (hash-table-set! t1 k v))))
  t1)

(define (alist->hash-table alist . args)
  (let ((t (apply make-hash-table args)))
    (for-each (lambda (p) (if (not (hash-table-exists? t (car p))) (hash-table-set! t (car p) (cdr p))))
              alist)
    t))

(define (hash-table-clear! t)
  (%check-table "hash-table-clear!" t)
  (if (%hash-table? t)
      (%hash-table-clear! t)
      (begin (%hash-table-clear! (%custom-buckets t)) (%set-custom-count! t 0))))

;;; ==== SRFI 132: sorting ====
;;
;; Stable merge sort on lists (O(n log n) calls of <, recursion only
;; log n deep); the vector procedures sort the range as a list and store it
;; back.  Every sort here is stable.

;; merge two sorted lists; on ties the element of a comes first
(define (list-merge < a b)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append-reverse acc b))
          ((null? b) (append-reverse acc a))
          ((< (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))
(define list-merge! list-merge)

(define (list-stable-sort < l)
  (if (not (procedure? <)) (error "list-sort: expected a procedure, got" <))
  (if (not (list? l)) (error "list-sort: expected a list, got" l))
  ;; sort the first n elements of l: (sorted . rest)
  (let sort ((l l) (n (length l)))
    (cond ((= n 0) '())
          ((= n 1) (list (car l)))
          (else
           (let* ((h (quotient n 2))
                  (a (sort l h))
                  (b (sort (list-tail l h) (- n h))))
             (list-merge < a b))))))
(define list-sort list-stable-sort)
(define list-sort! list-stable-sort)
(define list-stable-sort! list-stable-sort)

(define (list-sorted? < l)
  (or (not (pair? l))
      (let loop ((prev (car l)) (l (cdr l)))
        (or (null? l)
            (and (not (< (car l) prev)) (loop (car l) (cdr l)))))))

;; start and end of an optional range of v
(define (%vector-range who v rest)
  (if (not (vector? v)) (error (string-append who ": expected a vector, got") v))
  (let* ((start (if (pair? rest) (car rest) 0))
         (end (if (and (pair? rest) (pair? (cdr rest))) (cadr rest) (vector-length v))))
    (if (not (and (exact-integer? start) (exact-integer? end) (<= 0 start end (vector-length v))))
        (error (string-append who ": bad range") start end))
    (values start end)))

(define (vector-sorted? < v . range)
  (call-with-values (lambda () (%vector-range "vector-sorted?" v range))
    (lambda (start end)
      (let loop ((i (+ start 1)))
        (or (>= i end)
            (and (not (< (vector-ref v i) (vector-ref v (- i 1)))) (loop (+ i 1))))))))

(define (vector-stable-sort < v . range)
  (call-with-values (lambda () (%vector-range "vector-sort" v range))
    (lambda (start end)
      (list->vector (list-stable-sort < (vector->list v start end))))))
(define vector-sort vector-stable-sort)

(define (vector-stable-sort! < v . range)
  (call-with-values (lambda () (%vector-range "vector-sort!" v range))
    (lambda (start end)
      (let loop ((i start) (l (list-stable-sort < (vector->list v start end))))
        (when (pair? l)
          (vector-set! v i (car l))
          (loop (+ i 1) (cdr l)))))))
(define vector-sort! vector-stable-sort!)

(define (vector-merge < v1 v2 . range)
  (let* ((s1 (if (pair? range) (car range) 0))
         (e1 (if (and (pair? range) (pair? (cdr range))) (cadr range) (vector-length v1)))
         (r2 (if (and (pair? range) (pair? (cdr range))) (cddr range) '()))
         (s2 (if (pair? r2) (car r2) 0))
         (e2 (if (and (pair? r2) (pair? (cdr r2))) (cadr r2) (vector-length v2))))
    (list->vector (list-merge < (vector->list v1 s1 e1) (vector->list v2 s2 e2)))))

(define (vector-merge! < to from1 from2 . range)
  (let* ((start (if (pair? range) (car range) 0))
         (merged (apply vector-merge < from1 from2 (if (pair? range) (cdr range) '()))))
    (vector-copy! to start merged)))

(define (list-delete-neighbor-dups = l)
  (if (null? l)
      '()
      (let loop ((prev (car l)) (l (cdr l)) (acc (list (car l))))
        (cond ((null? l) (reverse acc))
              ((= prev (car l)) (loop prev (cdr l) acc))
              (else (loop (car l) (cdr l) (cons (car l) acc)))))))
(define list-delete-neighbor-dups! list-delete-neighbor-dups)

(define (vector-delete-neighbor-dups = v . range)
  (call-with-values (lambda () (%vector-range "vector-delete-neighbor-dups" v range))
    (lambda (start end)
      (list->vector (list-delete-neighbor-dups = (vector->list v start end))))))

;; the result goes to v[start..]; returns the index after its end
(define (vector-delete-neighbor-dups! = v . range)
  (call-with-values (lambda () (%vector-range "vector-delete-neighbor-dups!" v range))
    (lambda (start end)
      (let loop ((i start) (l (list-delete-neighbor-dups = (vector->list v start end))))
        (if (pair? l)
            (begin (vector-set! v i (car l)) (loop (+ i 1) (cdr l)))
            i)))))

(define (%median-of < v knil mean)
  (let ((n (vector-length v)))
    (cond ((= n 0) knil)
          ((odd? n) (vector-ref v (quotient n 2)))
          (else (mean (vector-ref v (- (quotient n 2) 1)) (vector-ref v (quotient n 2)))))))

(define (vector-find-median < v knil . mean)
  (%median-of < (vector-sort < v) knil (if (pair? mean) (car mean) (lambda (a b) (/ (+ a b) 2)))))

(define (vector-find-median! < v knil . mean)
  (vector-sort! < v)
  (%median-of < v knil (if (pair? mean) (car mean) (lambda (a b) (/ (+ a b) 2)))))

;; the k-th smallest element of the range (0-based); sorts the range
(define (vector-select! < v k . range)
  (call-with-values (lambda () (%vector-range "vector-select!" v range))
    (lambda (start end)
      (if (not (and (exact-integer? k) (<= 0 k) (< k (- end start))))
          (error "vector-select!: index out of range:" k))
      (vector-sort! < v start end)
      (vector-ref v (+ start k)))))

;; leave the k smallest elements of the range at its front
(define (vector-separate! < v k . range)
  (call-with-values (lambda () (%vector-range "vector-separate!" v range))
    (lambda (start end)
      (if (not (and (exact-integer? k) (<= 0 k (- end start))))
          (error "vector-separate!: index out of range:" k))
      (vector-sort! < v start end))))

;;; ==== the libraries ====

(define %srfi-library-exports
  '(((srfi 1)
     xcons list-tabulate cons* make-list list-copy circular-list iota list
     cons proper-list? circular-list? dotted-list? not-pair? null-list? list=
     pair? null? car cdr caar cadr cdar cddr caaar caadr cadar caddr cdaar
     cdadr cddar cdddr caaaar caaadr caadar caaddr cadaar cadadr caddar
     cadddr cdaaar cdaadr cdadar cdaddr cddaar cddadr cdddar cddddr list-ref
     first second third fourth fifth sixth seventh eighth ninth tenth car+cdr
     take drop take-right drop-right take! drop-right! split-at split-at!
     last last-pair length length+ append concatenate reverse append!
     concatenate! reverse! append-reverse append-reverse! zip unzip1 unzip2
     unzip3 unzip4 unzip5 count fold unfold pair-fold reduce fold-right
     unfold-right pair-fold-right reduce-right append-map append-map!
     pair-for-each filter-map map-in-order map for-each filter partition
     remove filter! partition! remove! member memq memv find find-tail any
     every list-index take-while drop-while take-while! span break span!
     break! delete delete-duplicates delete! delete-duplicates! assoc assq
     assv alist-cons alist-copy alist-delete alist-delete! lset<= lset=
     lset-adjoin lset-union lset-union! lset-intersection lset-intersection!
     lset-difference lset-difference! lset-xor lset-xor!
     lset-diff+intersection lset-diff+intersection! set-car! set-cdr!)
    ((srfi 8) receive)
    ((srfi 23) error)
    ((srfi 39) make-parameter parameterize)
    ((srfi 69)
     make-hash-table hash-table? alist->hash-table
     hash-table-equivalence-function hash-table-hash-function hash-table-ref
     hash-table-ref/default hash-table-set! hash-table-delete!
     hash-table-exists? hash-table-update! hash-table-update!/default
     hash-table-size hash-table-keys hash-table-values hash-table-walk
     hash-table-fold hash-table->alist hash-table-copy hash-table-merge! hash
     string-hash string-ci-hash hash-by-identity)
    ((srfi 132)
     list-sorted? vector-sorted? list-merge vector-merge list-sort
     list-stable-sort vector-sort vector-stable-sort list-merge! vector-merge!
     list-sort! list-stable-sort! vector-sort! vector-stable-sort!
     list-delete-neighbor-dups vector-delete-neighbor-dups
     list-delete-neighbor-dups! vector-delete-neighbor-dups!
     vector-find-median vector-find-median! vector-select! vector-separate!)))
