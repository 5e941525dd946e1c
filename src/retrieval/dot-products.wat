;; Dot products of every row of a row-major float32 matrix with one query vector, four lanes at
;; a time (WebAssembly SIMD). Used by src/retrieval/dense-scan.ts; dims must be a multiple of 4.
(module
  (import "env" "memory" (memory 1))
  (func (export "scores") (param $rowsPtr i32) (param $queryPtr i32) (param $outPtr i32) (param $rows i32) (param $dims i32)
    (local $r i32) (local $d i32) (local $acc v128) (local $row i32) (local $rowBytes i32)
    (local.set $row (local.get $rowsPtr))
    (local.set $rowBytes (i32.shl (local.get $dims) (i32.const 2)))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $eachLane
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $rowBytes)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load (i32.add (local.get $row) (local.get $d)))
                  (v128.load (i32.add (local.get $queryPtr) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $eachLane)))
        (f32.store
          (i32.add (local.get $outPtr) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $eachRow)))))
