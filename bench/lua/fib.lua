-- fib: the counterpart of bench/programs/fib.scm, which computes (fib N)
-- with the doubly recursive definition
--   (define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
-- on exact integers; the result is (fib N), e.g. N = 36 gives 14930352.
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local function fib(n)
  if n < 2 then
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

local n = io.read("n")
local expected = io.read("n")

local result = fib(n)

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
