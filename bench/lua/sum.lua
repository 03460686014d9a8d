-- sum: the counterpart of bench/programs/sum.scm, which sums the exact
-- integers 0, 1, ..., N-1 with a loop, 100 times over:
--   for i = 1, 100 do s = 0 + 1 + ... + (N-1) end
-- and whose result is s, i.e. N(N-1)/2 (N = 500000 gives 124999750000).
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local function sum(n)
  local s = 0
  for i = 0, n - 1 do
    s = s + i
  end
  return s
end

local n = io.read("n")
local expected = io.read("n")

local result = 0
for _ = 1, 100 do
  result = sum(n)
end

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
