-- tak: the counterpart of bench/programs/tak.scm, which runs the classic
-- Takeuchi function
--   (define (tak x y z)
--     (if (not (< y x)) z (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))
-- as (tak 18 12 6) = 7, N times; the result is the sum of the N results,
-- 7N (N = 900 gives 6300).
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local function tak(x, y, z)
  if not (y < x) then
    return z
  end
  return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
end

local n = io.read("n")
local expected = io.read("n")

local result = 0
for _ = 1, n do
  result = result + tak(18, 12, 6)
end

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
