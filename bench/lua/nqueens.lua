-- nqueens: the counterpart of bench/programs/nqueens.scm, which counts the
-- ways to place N queens on an N x N board so that no two attack each
-- other (N = 8 gives 92, N = 10 gives 724, N = 11 gives 2680).  Queens
-- are placed row by row, trying columns 0..N-1 in order; a column is safe
-- when, for each queen already placed (most recent row first, at row
-- distance d = 1, 2, ...), its column c differs from col, col + d and
-- col - d.  The count is done 2 times (rounds = 2, as in nqueens.scm); the
-- result is the count of the last round.  The Scheme program keeps the
-- placed queens in a list; here they are in an array, scanned in the same
-- order, so both make the same comparisons.
-- Reads "N EXPECTED" from standard input, prints the result, and exits
-- with status 1 if it differs from EXPECTED.

local function queens(size)
  local placed = {}        -- placed[r] = column of the queen in row r

  local function safe(col, row)
    -- the queens of rows row-1 down to 1 (row distance 1, 2, ...)
    local dist = 1
    for r = row - 1, 1, -1 do
      local c = placed[r]
      if c == col or c == col + dist or c == col - dist then
        return false
      end
      dist = dist + 1
    end
    return true
  end

  local function count_from(row)
    -- row queens are placed (in placed[1..row]); count the completions
    if row == size then
      return 1
    end
    local total = 0
    for col = 0, size - 1 do
      if safe(col, row + 1) then
        placed[row + 1] = col
        total = total + count_from(row + 1)
      end
    end
    return total
  end

  return count_from(0)
end

local rounds = 2

local n = io.read("n")
local expected = io.read("n")

local result = 0
for _ = 1, rounds do
  result = queens(n)
end

print(result)
if result ~= expected then
  print("wrong result")
  os.exit(1)
end
