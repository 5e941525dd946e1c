;; Dot products of every row of a row-major matrix with one query vector (WebAssembly SIMD), used
;; by src/retrieval/dense-scan.ts: `scores` over float32 rows, four lanes at a time (dims a
;; multiple of 4); `scores_i8` over int8 rows padded to a multiple of 16 bytes, sixteen at a time,
;; each row's integer sum scaled by its own scale and the query's.
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
        (br $eachRow))))
  (func (export "scores_i8") (param $rowsPtr i32) (param $scalesPtr i32) (param $queryPtr i32) (param $outPtr i32) (param $rows i32) (param $stride i32) (param $queryScale f32)
    (local $r i32) (local $d i32) (local $acc v128) (local $row i32) (local $a v128) (local $b v128)
    (local.set $row (local.get $rowsPtr))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $eachLane
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $stride)))
            (local.set $a (v128.load (i32.add (local.get $row) (local.get $d))))
            (local.set $b (v128.load (i32.add (local.get $queryPtr) (local.get $d))))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a)) (i16x8.extend_low_i8x16_s (local.get $b)))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a)) (i16x8.extend_high_i8x16_s (local.get $b))))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $eachLane)))
        (f32.store
          (i32.add (local.get $outPtr) (i32.shl (local.get $r) (i32.const 2)))
          (f32.mul
            (f32.mul (local.get $queryScale) (f32.load (i32.add (local.get $scalesPtr) (i32.shl (local.get $r) (i32.const 2)))))
            (f32.convert_i32_s
              (i32.add
                (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))))
        (local.set $row (i32.add (local.get $row) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $eachRow)))))
