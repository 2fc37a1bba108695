;; SIMD kernels of the fused engine (src/math/fused-engine.ts), in WebAssembly text format.
;; Compiled by src/math/build-kernels.ts (wabt's wat2wasm, feature simd) into
;; src/math/kernels-wasm.ts, which the engine loads; edit this file, then regenerate with
;;   TPROP_WABT=/path/to/node_modules/wabt npx tsx src/math/build-kernels.ts
;;
;; Matrices are row-major float32 arrays in the one imported memory; every pointer and stride
;; is in bytes. Arithmetic is float32 throughout (the plain JS kernels round their float64
;; partial sums to float32 at every store, so the two agree to a few ulps per operation).
;; Vectors need no alignment; lengths that are not multiples of 4 end in a scalar tail.

(module
  (import "env" "memory" (memory 1))

  ;; o[i, j] = Σ_p x(i, p)·w[p, j] for i < rows, p < inner, j < cols, where x(i, p) is the f32
  ;; at x + i·si + p·sp: A read by rows (si = 4·inner, sp = 4: the product A·W) or by columns
  ;; (si = 4, sp = 4·rows of A: the product Aᵀ·W). o is written, not accumulated into.
  ;;
  ;; Register tiles: a block of 4 rows × 8 columns of o is summed in 8 vector registers over
  ;; the whole of p (each p: 2 vectors of w, 4 entries of A splatted), then stored; 4 columns,
  ;; then single columns, finish the block. Rows left over (all of them at batch 1) take tiles
  ;; of 1 row × 32 columns, skipping the p where A's entry is 0 (one-hot inputs), as the JS
  ;; kernel does; then 4 columns, then single ones.
  (func $product (export "product")
    (param $x i32) (param $w i32) (param $o i32)
    (param $rows i32) (param $inner i32) (param $cols i32)
    (param $si i32) (param $sp i32)
    (local $rb i32)    ;; bytes in a row of w and of o
    (local $i i32) (local $j i32) (local $p i32)
    (local $x0 i32)    ;; address of x(i, 0)
    (local $o0 i32)    ;; address of o[i, 0]
    (local $xp i32)    ;; address of x(i, p)
    (local $wp i32)    ;; address of w[p, j]
    (local $si2 i32) (local $si3 i32)
    (local $w0 v128) (local $w1 v128) (local $av v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local $as f32) (local $ws f32)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $si2 (i32.shl (local.get $si) (i32.const 1)))
    (local.set $si3 (i32.mul (local.get $si) (i32.const 3)))
    (local.set $i (i32.const 0))
    ;; blocks of 4 rows
    (block $blocks_done
      (loop $block
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $rows)))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $si))))
        (local.set $o0 (i32.add (local.get $o) (i32.mul (local.get $i) (local.get $rb))))
        (local.set $j (i32.const 0))
        ;; 4 × 8 tiles: c0 c1 | c2 c3 | c4 c5 | c6 c7 are rows 0 to 3, columns j to j + 7
        (block $tiles_done
          (loop $tile
            (br_if $tiles_done (i32.gt_u (i32.add (local.get $j) (i32.const 32)) (local.get $rb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
            (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $w0 (v128.load (local.get $wp)))
                (local.set $w1 (v128.load offset=16 (local.get $wp)))
                (local.set $av (v128.load32_splat (local.get $xp)))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $av) (local.get $w0))))
                (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $av) (local.get $w1))))
                (local.set $av (v128.load32_splat (i32.add (local.get $xp) (local.get $si))))
                (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $av) (local.get $w0))))
                (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $av) (local.get $w1))))
                (local.set $av (v128.load32_splat (i32.add (local.get $xp) (local.get $si2))))
                (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $av) (local.get $w0))))
                (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $av) (local.get $w1))))
                (local.set $av (v128.load32_splat (i32.add (local.get $xp) (local.get $si3))))
                (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $av) (local.get $w0))))
                (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $av) (local.get $w1))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $wp (i32.add (local.get $o0) (local.get $j)))
            (v128.store (local.get $wp) (local.get $c0))
            (v128.store offset=16 (local.get $wp) (local.get $c1))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c2))
            (v128.store offset=16 (local.get $wp) (local.get $c3))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c4))
            (v128.store offset=16 (local.get $wp) (local.get $c5))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c6))
            (v128.store offset=16 (local.get $wp) (local.get $c7))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $tile)))
        ;; 4 × 4 tiles
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c6 (v128.const i32x4 0 0 0 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $w0 (v128.load (local.get $wp)))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $xp)) (local.get $w0))))
                (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat (i32.add (local.get $xp) (local.get $si))) (local.get $w0))))
                (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (v128.load32_splat (i32.add (local.get $xp) (local.get $si2))) (local.get $w0))))
                (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (v128.load32_splat (i32.add (local.get $xp) (local.get $si3))) (local.get $w0))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $wp (i32.add (local.get $o0) (local.get $j)))
            (v128.store (local.get $wp) (local.get $c0))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c2))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c4))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (v128.store (local.get $wp) (local.get $c6))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $quad)))
        ;; single columns
        (block $columns_done
          (loop $column
            (br_if $columns_done (i32.ge_u (local.get $j) (local.get $rb)))
            (local.set $s0 (f32.const 0)) (local.set $s1 (f32.const 0))
            (local.set $s2 (f32.const 0)) (local.set $s3 (f32.const 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $ws (f32.load (local.get $wp)))
                (local.set $s0 (f32.add (local.get $s0) (f32.mul (f32.load (local.get $xp)) (local.get $ws))))
                (local.set $s1 (f32.add (local.get $s1) (f32.mul (f32.load (i32.add (local.get $xp) (local.get $si))) (local.get $ws))))
                (local.set $s2 (f32.add (local.get $s2) (f32.mul (f32.load (i32.add (local.get $xp) (local.get $si2))) (local.get $ws))))
                (local.set $s3 (f32.add (local.get $s3) (f32.mul (f32.load (i32.add (local.get $xp) (local.get $si3))) (local.get $ws))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $wp (i32.add (local.get $o0) (local.get $j)))
            (f32.store (local.get $wp) (local.get $s0))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (f32.store (local.get $wp) (local.get $s1))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (f32.store (local.get $wp) (local.get $s2))
            (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
            (f32.store (local.get $wp) (local.get $s3))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $column)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $block)))
    ;; rows left over, one at a time
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $si))))
        (local.set $o0 (i32.add (local.get $o) (i32.mul (local.get $i) (local.get $rb))))
        (local.set $j (i32.const 0))
        ;; 1 × 32 tiles in c0 to c7
        (block $tiles_done
          (loop $tile
            (br_if $tiles_done (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $rb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
            (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $as (f32.load (local.get $xp)))
                (if (f32.ne (local.get $as) (f32.const 0))
                  (then
                    (local.set $av (f32x4.splat (local.get $as)))
                    (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $av) (v128.load offset=0 (local.get $wp)))))
                    (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $wp)))))
                    (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $av) (v128.load offset=32 (local.get $wp)))))
                    (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $av) (v128.load offset=48 (local.get $wp)))))
                    (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $av) (v128.load offset=64 (local.get $wp)))))
                    (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $av) (v128.load offset=80 (local.get $wp)))))
                    (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $av) (v128.load offset=96 (local.get $wp)))))
                    (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $av) (v128.load offset=112 (local.get $wp)))))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (local.set $wp (i32.add (local.get $o0) (local.get $j)))
            (v128.store offset=0 (local.get $wp) (local.get $c0))
            (v128.store offset=16 (local.get $wp) (local.get $c1))
            (v128.store offset=32 (local.get $wp) (local.get $c2))
            (v128.store offset=48 (local.get $wp) (local.get $c3))
            (v128.store offset=64 (local.get $wp) (local.get $c4))
            (v128.store offset=80 (local.get $wp) (local.get $c5))
            (v128.store offset=96 (local.get $wp) (local.get $c6))
            (v128.store offset=112 (local.get $wp) (local.get $c7))
            (local.set $j (i32.add (local.get $j) (i32.const 128)))
            (br $tile)))
        ;; 1 × 4 tiles
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load (local.get $wp)))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (v128.store (i32.add (local.get $o0) (local.get $j)) (local.get $c0))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $quad)))
        ;; single columns
        (block $columns_done
          (loop $column
            (br_if $columns_done (i32.ge_u (local.get $j) (local.get $rb)))
            (local.set $s0 (f32.const 0))
            (local.set $xp (local.get $x0))
            (local.set $wp (i32.add (local.get $w) (local.get $j)))
            (local.set $p (local.get $inner))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.eqz (local.get $p)))
                (local.set $s0 (f32.add (local.get $s0) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $wp)))))
                (local.set $xp (i32.add (local.get $xp) (local.get $sp)))
                (local.set $wp (i32.add (local.get $wp) (local.get $rb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $sum)))
            (f32.store (i32.add (local.get $o0) (local.get $j)) (local.get $s0))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $column)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; o[i, j] = Σ_k a[i, k]·b[j, k] for i < rows, j < n, k < inner (the product A·Bᵀ): dot
  ;; products of rows, four rows of b at a time so that each vector of a's row is loaded once
  ;; for four of them. Each dot keeps four partial sums (the lanes), as the JS kernel does.
  (func $product_bt (export "product_bt")
    (param $a i32) (param $b i32) (param $o i32)
    (param $rows i32) (param $inner i32) (param $n i32)
    (local $kb i32)    ;; bytes in a row of a and of b
    (local $vb i32)    ;; bytes of a row covered by whole vectors
    (local $i i32) (local $j i32) (local $k i32)
    (local $ai i32) (local $b0 i32) (local $oi i32)
    (local $av v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 f32) (local $t1 f32) (local $t2 f32) (local $t3 f32) (local $av1 f32)
    (local.set $kb (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $vb (i32.and (local.get $kb) (i32.const -16)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
        (local.set $oi (i32.add (local.get $o) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
        (local.set $b0 (local.get $b))
        (local.set $j (i32.const 0))
        ;; four rows of b at a time
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (local.set $s0 (v128.const f32x4 0 0 0 0))
            (local.set $s1 (v128.const f32x4 0 0 0 0))
            (local.set $s2 (v128.const f32x4 0 0 0 0))
            (local.set $s3 (v128.const f32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.ge_u (local.get $k) (local.get $vb)))
                (local.set $av (v128.load (i32.add (local.get $ai) (local.get $k))))
                (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b0) (local.get $k))))))
                (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $av) (v128.load (i32.add (i32.add (local.get $b0) (local.get $kb)) (local.get $k))))))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $av) (v128.load (i32.add (i32.add (local.get $b0) (i32.shl (local.get $kb) (i32.const 1))) (local.get $k))))))
                (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $av) (v128.load (i32.add (i32.add (local.get $b0) (i32.mul (local.get $kb) (i32.const 3))) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vector)))
            ;; the tail goes into lane 0's partial sum, as in the JS kernel
            (local.set $t0 (f32x4.extract_lane 0 (local.get $s0)))
            (local.set $t1 (f32x4.extract_lane 0 (local.get $s1)))
            (local.set $t2 (f32x4.extract_lane 0 (local.get $s2)))
            (local.set $t3 (f32x4.extract_lane 0 (local.get $s3)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $k) (local.get $kb)))
                (local.set $av1 (f32.load (i32.add (local.get $ai) (local.get $k))))
                (local.set $t0 (f32.add (local.get $t0) (f32.mul (local.get $av1) (f32.load (i32.add (local.get $b0) (local.get $k))))))
                (local.set $t1 (f32.add (local.get $t1) (f32.mul (local.get $av1) (f32.load (i32.add (i32.add (local.get $b0) (local.get $kb)) (local.get $k))))))
                (local.set $t2 (f32.add (local.get $t2) (f32.mul (local.get $av1) (f32.load (i32.add (i32.add (local.get $b0) (i32.shl (local.get $kb) (i32.const 1))) (local.get $k))))))
                (local.set $t3 (f32.add (local.get $t3) (f32.mul (local.get $av1) (f32.load (i32.add (i32.add (local.get $b0) (i32.mul (local.get $kb) (i32.const 3))) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $tail)))
            (f32.store offset=0 (local.get $oi)
              (f32.add (f32.add (f32.add (local.get $t0) (f32x4.extract_lane 1 (local.get $s0))) (f32x4.extract_lane 2 (local.get $s0))) (f32x4.extract_lane 3 (local.get $s0))))
            (f32.store offset=4 (local.get $oi)
              (f32.add (f32.add (f32.add (local.get $t1) (f32x4.extract_lane 1 (local.get $s1))) (f32x4.extract_lane 2 (local.get $s1))) (f32x4.extract_lane 3 (local.get $s1))))
            (f32.store offset=8 (local.get $oi)
              (f32.add (f32.add (f32.add (local.get $t2) (f32x4.extract_lane 1 (local.get $s2))) (f32x4.extract_lane 2 (local.get $s2))) (f32x4.extract_lane 3 (local.get $s2))))
            (f32.store offset=12 (local.get $oi)
              (f32.add (f32.add (f32.add (local.get $t3) (f32x4.extract_lane 1 (local.get $s3))) (f32x4.extract_lane 2 (local.get $s3))) (f32x4.extract_lane 3 (local.get $s3))))
            (local.set $oi (i32.add (local.get $oi) (i32.const 16)))
            (local.set $b0 (i32.add (local.get $b0) (i32.shl (local.get $kb) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $quad)))
        ;; the last rows of b, one at a time
        (block $singles_done
          (loop $single
            (br_if $singles_done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $s0 (v128.const f32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.ge_u (local.get $k) (local.get $vb)))
                (local.set $s0 (f32x4.add (local.get $s0)
                  (f32x4.mul (v128.load (i32.add (local.get $ai) (local.get $k))) (v128.load (i32.add (local.get $b0) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vector)))
            (local.set $t0 (f32x4.extract_lane 0 (local.get $s0)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $k) (local.get $kb)))
                (local.set $t0 (f32.add (local.get $t0)
                  (f32.mul (f32.load (i32.add (local.get $ai) (local.get $k))) (f32.load (i32.add (local.get $b0) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $tail)))
            (f32.store (local.get $oi)
              (f32.add (f32.add (f32.add (local.get $t0) (f32x4.extract_lane 1 (local.get $s0))) (f32x4.extract_lane 2 (local.get $s0))) (f32x4.extract_lane 3 (local.get $s0))))
            (local.set $oi (i32.add (local.get $oi) (i32.const 4)))
            (local.set $b0 (i32.add (local.get $b0) (local.get $kb)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $single)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; Adam over n entries: m ← β1·m + c1·g; v ← β2·v + c2·g²; p ← p − step·m / (√v + ε),
  ;; with c1 = 1 − β1 and c2 = 1 − β2 computed by the caller.
  (func $adam (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $step f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $eps f32)
    (local $at i32) (local $end i32) (local $vend i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectors_done
      (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $at) (local.get $vend)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $mv (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $b1)) (v128.load (i32.add (local.get $m) (local.get $at))))
          (f32x4.mul (f32x4.splat (local.get $c1)) (local.get $gv))))
        (local.set $vv (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $b2)) (v128.load (i32.add (local.get $v) (local.get $at))))
          (f32x4.mul (f32x4.mul (f32x4.splat (local.get $c2)) (local.get $gv)) (local.get $gv))))
        (v128.store (i32.add (local.get $m) (local.get $at)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $at)) (local.get $vv))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $at)))
            (f32x4.div
              (f32x4.mul (f32x4.splat (local.get $step)) (local.get $mv))
              (f32x4.add (f32x4.sqrt (local.get $vv)) (f32x4.splat (local.get $eps))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
        (local.set $ms (f32.add
          (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $at))))
          (f32.mul (local.get $c1) (local.get $gs))))
        (local.set $vs (f32.add
          (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $at))))
          (f32.mul (f32.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
        (f32.store (i32.add (local.get $m) (local.get $at)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $at)) (local.get $vs))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $at)))
            (f32.div
              (f32.mul (local.get $step) (local.get $ms))
              (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  ;; RMSprop over n entries: s ← ρ·s + c·g² (c = 1 − ρ); p ← p − lr·g / (√s + ε).
  (func $rmsprop (export "rmsprop")
    (param $p i32) (param $g i32) (param $s i32) (param $n i32)
    (param $lr f32) (param $rho f32) (param $c f32) (param $eps f32)
    (local $at i32) (local $end i32) (local $vend i32)
    (local $gv v128) (local $sv v128) (local $gs f32) (local $ss f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectors_done
      (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $at) (local.get $vend)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $sv (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $rho)) (v128.load (i32.add (local.get $s) (local.get $at))))
          (f32x4.mul (f32x4.mul (f32x4.splat (local.get $c)) (local.get $gv)) (local.get $gv))))
        (v128.store (i32.add (local.get $s) (local.get $at)) (local.get $sv))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $at)))
            (f32x4.div
              (f32x4.mul (f32x4.splat (local.get $lr)) (local.get $gv))
              (f32x4.add (f32x4.sqrt (local.get $sv)) (f32x4.splat (local.get $eps))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
        (local.set $ss (f32.add
          (f32.mul (local.get $rho) (f32.load (i32.add (local.get $s) (local.get $at))))
          (f32.mul (f32.mul (local.get $c) (local.get $gs)) (local.get $gs))))
        (f32.store (i32.add (local.get $s) (local.get $at)) (local.get $ss))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $at)))
            (f32.div
              (f32.mul (local.get $lr) (local.get $gs))
              (f32.add (f32.sqrt (local.get $ss)) (local.get $eps)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  ;; SGD over n entries: p ← p − lr·g.
  (func $sgd (export "sgd")
    (param $p i32) (param $g i32) (param $n i32) (param $lr f32)
    (local $at i32) (local $end i32) (local $vend i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectors_done
      (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $at) (local.get $vend)))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $at)))
            (f32x4.mul (f32x4.splat (local.get $lr)) (v128.load (i32.add (local.get $g) (local.get $at))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $at)))
            (f32.mul (local.get $lr) (f32.load (i32.add (local.get $g) (local.get $at))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  ;; SGD with momentum over n entries: u ← μ·u + g; p ← p − lr·u.
  (func $sgd_momentum (export "sgd_momentum")
    (param $p i32) (param $g i32) (param $u i32) (param $n i32) (param $lr f32) (param $mu f32)
    (local $at i32) (local $end i32) (local $vend i32)
    (local $uv v128) (local $us f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectors_done
      (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $at) (local.get $vend)))
        (local.set $uv (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $mu)) (v128.load (i32.add (local.get $u) (local.get $at))))
          (v128.load (i32.add (local.get $g) (local.get $at)))))
        (v128.store (i32.add (local.get $u) (local.get $at)) (local.get $uv))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $at)))
            (f32x4.mul (f32x4.splat (local.get $lr)) (local.get $uv))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $us (f32.add
          (f32.mul (local.get $mu) (f32.load (i32.add (local.get $u) (local.get $at))))
          (f32.load (i32.add (local.get $g) (local.get $at)))))
        (f32.store (i32.add (local.get $u) (local.get $at)) (local.get $us))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $at)))
            (f32.mul (local.get $lr) (local.get $us))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  ;; o[i] = tanh(x[i]) for i < n (o may be x): a rational approximation, odd polynomials of
  ;; degree 13 over degree 6 on x clamped to ±7.90531110763549805 (Eigen's float32 tanh, also in
  ;; ONNX Runtime's MLAS), x itself below 0.0004 in magnitude. Against Math.tanh rounded to
  ;; float32 the error is below 4e-7, relative (test/math/fused-kernels.test.ts measures it). The
  ;; clamp is pmin/pmax (one x86 instruction each, where min/max's NaN and ±0 rules cost V8
  ;; several): the same values, NaN included, as the constant is pmin's second operand and −7.9…
  ;; pmax's; 22% faster.
  (func $tanh (export "tanh")
    (param $x i32) (param $o i32) (param $n i32)
    (local $at i32) (local $end i32) (local $vend i32)
    (local $v v128) (local $c v128) (local $z v128) (local $p v128) (local $q v128)
    (local $s f32) (local $cs f32) (local $zs f32) (local $ps f32) (local $qs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $vectors_done
      (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $at) (local.get $vend)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
        (local.set $c (f32x4.pmax (f32x4.pmin (local.get $v) (v128.const f32x4 7.90531110763549805 7.90531110763549805 7.90531110763549805 7.90531110763549805))
                                 (v128.const f32x4 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805)))
        (local.set $z (f32x4.mul (local.get $c) (local.get $c)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16))
                                 (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (local.get $p)) (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (local.get $p)) (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (local.get $p)) (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (local.get $p)) (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
        (local.set $p (f32x4.add (f32x4.mul (local.get $z) (local.get $p)) (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
        (local.set $p (f32x4.mul (local.get $c) (local.get $p)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $z) (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06))
                                 (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $z) (local.get $q)) (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $z) (local.get $q)) (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
        (v128.store (i32.add (local.get $o) (local.get $at))
          (v128.bitselect
            (local.get $v)
            (f32x4.div (local.get $p) (local.get $q))
            (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $at))))
        (local.set $cs (f32.max (f32.min (local.get $s) (f32.const 7.90531110763549805)) (f32.const -7.90531110763549805)))
        (local.set $zs (f32.mul (local.get $cs) (local.get $cs)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (f32.const -2.76076847742355e-16)) (f32.const 2.00018790482477e-13)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (local.get $ps)) (f32.const -8.60467152213735e-11)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (local.get $ps)) (f32.const 5.12229709037114e-08)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (local.get $ps)) (f32.const 1.48572235717979e-05)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (local.get $ps)) (f32.const 6.37261928875436e-04)))
        (local.set $ps (f32.add (f32.mul (local.get $zs) (local.get $ps)) (f32.const 4.89352455891786e-03)))
        (local.set $ps (f32.mul (local.get $cs) (local.get $ps)))
        (local.set $qs (f32.add (f32.mul (local.get $zs) (f32.const 1.19825839466702e-06)) (f32.const 1.18534705686654e-04)))
        (local.set $qs (f32.add (f32.mul (local.get $zs) (local.get $qs)) (f32.const 2.26843463243900e-03)))
        (local.set $qs (f32.add (f32.mul (local.get $zs) (local.get $qs)) (f32.const 4.89352518554385e-03)))
        (f32.store (i32.add (local.get $o) (local.get $at))
          (select
            (local.get $s)
            (f32.div (local.get $ps) (local.get $qs))
            (f32.lt (f32.abs (local.get $s)) (f32.const 0.0004))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tail))))

  ;; The gated cell's elementwise forward (fused-engine.ts), for cols a multiple of 4, on nine
  ;; blocks of n = rows·cols floats at b, b + bs, …, b + 8·bs (bs bytes apart, ≥ 4n): in blocks
  ;; 0 to 5 the products x·Wz, h'·Uz, x·Wr, h'·Ur, x·W, h'·U; bz, br, bb the [cols] biases and c
  ;; the context h' ([rows, cols]). Out: z in block 0, h in block 1, r in block 2, n in block 8
  ;; (h'·U stays in block 5); blocks 6 and 7 are staging. The logistic is ½ + ½·tanh(x/2).
  (func $gated_forward (export "gated_forward")
    (param $b i32) (param $bs i32) (param $bz i32) (param $br i32) (param $bb i32) (param $c i32)
    (param $rows i32) (param $cols i32)
    (local $n4 i32) (local $rb i32) (local $i i32) (local $j i32) (local $k i32)
    (local $zv v128) (local $rv v128) (local $nv v128) (local $half v128)
    (local.set $half (v128.const f32x4 0.5 0.5 0.5 0.5))
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $n4 (i32.mul (local.get $rows) (local.get $rb)))
    ;; the gates' halved pre-activations into blocks 6 (z) and 7 (r), one run of 2n
    (local.set $k (i32.const 0))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $rb)))
        (v128.store (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6))) (local.get $k))
          (f32x4.mul (local.get $half)
            (f32x4.add
              (f32x4.add (v128.load (i32.add (local.get $b) (local.get $k)))
                         (v128.load (i32.add (i32.add (local.get $b) (local.get $bs)) (local.get $k))))
              (v128.load (i32.add (local.get $bz) (local.get $j))))))
        (v128.store (i32.add (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6))) (local.get $n4)) (local.get $k))
          (f32x4.mul (local.get $half)
            (f32x4.add
              (f32x4.add (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 2))) (local.get $k)))
                         (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 3))) (local.get $k))))
              (v128.load (i32.add (local.get $br) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $col)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row)))
    (call $tanh
      (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6)))
      (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6)))
      (i32.shr_u (i32.shl (local.get $n4) (i32.const 1)) (i32.const 2)))
    ;; z into block 0, r into block 2, the candidate's pre-activation x·W + r ⊙ h'·U + b into block 8
    (local.set $k (i32.const 0))
    (local.set $i (i32.const 0))
    (block $rows2_done (loop $row2
      (br_if $rows2_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $cols2_done (loop $col2
        (br_if $cols2_done (i32.ge_u (local.get $j) (local.get $rb)))
        (local.set $zv (f32x4.add (local.get $half) (f32x4.mul (local.get $half)
          (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6))) (local.get $k))))))
        (local.set $rv (f32x4.add (local.get $half) (f32x4.mul (local.get $half)
          (v128.load (i32.add (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 6))) (local.get $n4)) (local.get $k))))))
        (v128.store (i32.add (local.get $b) (local.get $k)) (local.get $zv))
        (v128.store (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 2))) (local.get $k)) (local.get $rv))
        (v128.store (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 8))) (local.get $k))
          (f32x4.add
            (f32x4.add (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 4))) (local.get $k)))
                       (f32x4.mul (local.get $rv) (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 5))) (local.get $k)))))
            (v128.load (i32.add (local.get $bb) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $col2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row2)))
    (call $tanh
      (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 8)))
      (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 8)))
      (i32.shr_u (local.get $n4) (i32.const 2)))
    ;; h = n + z ⊙ (h' − n) into block 1
    (local.set $k (i32.const 0))
    (block $h_done (loop $hloop
      (br_if $h_done (i32.ge_u (local.get $k) (local.get $n4)))
      (local.set $nv (v128.load (i32.add (i32.add (local.get $b) (i32.mul (local.get $bs) (i32.const 8))) (local.get $k))))
      (v128.store (i32.add (i32.add (local.get $b) (local.get $bs)) (local.get $k))
        (f32x4.add (local.get $nv)
          (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $k)))
                     (f32x4.sub (v128.load (i32.add (local.get $c) (local.get $k))) (local.get $nv)))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $hloop))))

  ;; The gated cell's deltas (fused-engine.ts), for cols a multiple of 4: z, r, n, uh (h'·U), c
  ;; (h') and h are [rows, cols]. The gradient on h is dh when dh ≥ 0, else (h − t) ⊙ w_i · scale
  ;; for the target t and row weights w ([rows], all 1 when w < 0), whose loss
  ;; ½ · Σ_i w_i ‖h_i − t_i‖² · scale is returned (0 for a given dh). Out, blocks of n floats from
  ;; o, bs bytes apart: dan = dh ⊙ (1 − z) ⊙ (1 − n²), dan ⊙ r, daz = dh ⊙ (h' − n) ⊙ z(1 − z),
  ;; dar = dan ⊙ uh ⊙ r(1 − r); and their column sums at s, s + 4·cols, s + 8·cols.
  (func $gated_deltas (export "gated_deltas")
    (param $z i32) (param $r i32) (param $nn i32) (param $uh i32) (param $c i32) (param $h i32)
    (param $dh i32) (param $t i32) (param $w i32) (param $scale f32)
    (param $o i32) (param $bs i32) (param $s i32) (param $rows i32) (param $cols i32)
    (result f32)
    (local $rb i32) (local $i i32) (local $j i32) (local $k i32)
    (local $one v128) (local $wi v128) (local $g v128) (local $e v128) (local $loss v128)
    (local $zv v128) (local $rv v128) (local $nv v128) (local $dn v128) (local $dz v128) (local $dr v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $loss (v128.const f32x4 0 0 0 0))
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    ;; zero the sums
    (local.set $j (i32.const 0))
    (block $zero_done (loop $zero
      (br_if $zero_done (i32.ge_u (local.get $j) (i32.mul (local.get $rb) (i32.const 3))))
      (v128.store (i32.add (local.get $s) (local.get $j)) (v128.const f32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $zero)))
    (local.set $k (i32.const 0))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $wi (if (result v128) (i32.ge_s (local.get $w) (i32.const 0))
        (then (v128.load32_splat (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))
        (else (local.get $one))))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $col
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $rb)))
        (if (i32.ge_s (local.get $dh) (i32.const 0))
          (then (local.set $g (v128.load (i32.add (local.get $dh) (local.get $k)))))
          (else
            (local.set $e (f32x4.sub (v128.load (i32.add (local.get $h) (local.get $k)))
                                     (v128.load (i32.add (local.get $t) (local.get $k)))))
            (local.set $loss (f32x4.add (local.get $loss)
              (f32x4.mul (f32x4.mul (local.get $e) (local.get $e)) (local.get $wi))))
            (local.set $g (f32x4.mul (f32x4.mul (local.get $e) (local.get $wi)) (f32x4.splat (local.get $scale))))))
        (local.set $zv (v128.load (i32.add (local.get $z) (local.get $k))))
        (local.set $rv (v128.load (i32.add (local.get $r) (local.get $k))))
        (local.set $nv (v128.load (i32.add (local.get $nn) (local.get $k))))
        (local.set $dn (f32x4.mul (f32x4.mul (local.get $g) (f32x4.sub (local.get $one) (local.get $zv)))
                                  (f32x4.sub (local.get $one) (f32x4.mul (local.get $nv) (local.get $nv)))))
        (local.set $dz (f32x4.mul
          (f32x4.mul (local.get $g) (f32x4.sub (v128.load (i32.add (local.get $c) (local.get $k))) (local.get $nv)))
          (f32x4.mul (local.get $zv) (f32x4.sub (local.get $one) (local.get $zv)))))
        (local.set $dr (f32x4.mul
          (f32x4.mul (local.get $dn) (v128.load (i32.add (local.get $uh) (local.get $k))))
          (f32x4.mul (local.get $rv) (f32x4.sub (local.get $one) (local.get $rv)))))
        (v128.store (i32.add (local.get $o) (local.get $k)) (local.get $dn))
        (v128.store (i32.add (i32.add (local.get $o) (local.get $bs)) (local.get $k))
          (f32x4.mul (local.get $dn) (local.get $rv)))
        (v128.store (i32.add (i32.add (local.get $o) (i32.shl (local.get $bs) (i32.const 1))) (local.get $k)) (local.get $dz))
        (v128.store (i32.add (i32.add (local.get $o) (i32.mul (local.get $bs) (i32.const 3))) (local.get $k)) (local.get $dr))
        (v128.store (i32.add (local.get $s) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $s) (local.get $j))) (local.get $dn)))
        (v128.store (i32.add (i32.add (local.get $s) (local.get $rb)) (local.get $j))
          (f32x4.add (v128.load (i32.add (i32.add (local.get $s) (local.get $rb)) (local.get $j))) (local.get $dz)))
        (v128.store (i32.add (i32.add (local.get $s) (i32.shl (local.get $rb) (i32.const 1))) (local.get $j))
          (f32x4.add (v128.load (i32.add (i32.add (local.get $s) (i32.shl (local.get $rb) (i32.const 1))) (local.get $j))) (local.get $dr)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $col)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row)))
    (f32.mul
      (f32.mul (f32.const 0.5) (local.get $scale))
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $loss)) (f32x4.extract_lane 1 (local.get $loss)))
        (f32.add (f32x4.extract_lane 2 (local.get $loss)) (f32x4.extract_lane 3 (local.get $loss))))))

  ;; o[i, j] += b[j] for i < rows, j < cols (a bias row added to every row of o).
  (func $bias_rows (export "bias_rows")
    (param $o i32) (param $b i32) (param $rows i32) (param $cols i32)
    (local $rb i32) (local $vb i32) (local $i i32) (local $j i32) (local $row i32)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vb (i32.and (local.get $rb) (i32.const -16)))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $row_loop
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $row (i32.add (local.get $o) (i32.mul (local.get $i) (local.get $rb))))
      (local.set $j (i32.const 0))
      (block $vectors_done (loop $vector
        (br_if $vectors_done (i32.ge_u (local.get $j) (local.get $vb)))
        (v128.store (i32.add (local.get $row) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $row) (local.get $j)))
                     (v128.load (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vector)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $j) (local.get $rb)))
        (f32.store (i32.add (local.get $row) (local.get $j))
          (f32.add (f32.load (i32.add (local.get $row) (local.get $j)))
                   (f32.load (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row_loop))))
  ;; The whole sweep back in time of a one-layer stack's targets (through-time.ts, difference
  ;; form), for n steps of rows × cols, newest last, the context decoder g(v) = act(v·w + b) with
  ;; w [cols, cols] (act: 0 linear, 1 tanh). Blocks of n·rows·cols floats: the codes h at `h`,
  ;; the top's displacements at `top` (used where the f32 at has + 4i is not 0), the targets at
  ;; `t`; the continues ([n, rows]) at `cont`; scratch of 3·rows·cols floats at `s` (the anchors
  ;; g(h) first need n·rows·cols there). Per step i from the newest: d = top + future (either
  ;; alone, or none: then no target, the f32 at out + 4i is 0, else 1); ĥ = h + d; for i > 0 the
  ;; future of step i − 1 is g(ĥ) − g(h), each row scaled to at most clip·‖d_row‖ (clip > 0; the
  ;; norms in float64) and multiplied by its continues entry where that is not 1. The same
  ;; float32 values as the op-by-op sweep: the same product, bias and tanh calls, f32 adds.
  (func $time_sweep (export "time_sweep")
    (param $h i32) (param $top i32) (param $has i32) (param $cont i32) (param $w i32) (param $b i32)
    (param $act i32) (param $clip f64) (param $t i32) (param $out i32) (param $s i32)
    (param $n i32) (param $rows i32) (param $cols i32)
    (local $rc i32) (local $rcb i32) (local $rb i32) (local $i i32) (local $r i32) (local $c i32)
    (local $anchors i32) (local $back i32) (local $future i32) (local $d i32)
    (local $hasFuture i32) (local $hasTop i32) (local $at i32) (local $step i32)
    (local $v f32) (local $na f64) (local $nr f64) (local $scale f64) (local $m f32) (local $x f32)
    (local.set $rc (i32.mul (local.get $rows) (local.get $cols)))
    (local.set $rcb (i32.shl (local.get $rc) (i32.const 2)))
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    ;; the anchors g(h) of the steps in one batched product, past the three scratch blocks
    (local.set $back (local.get $s))
    (local.set $future (i32.add (local.get $s) (local.get $rcb)))
    (local.set $d (i32.add (local.get $s) (i32.shl (local.get $rcb) (i32.const 1))))
    (local.set $anchors (i32.add (local.get $s) (i32.mul (local.get $rcb) (i32.const 3))))
    ;; (step 0 sends nothing back, so its anchor is left out: rows 1 to n − 1)
    (call $product (i32.add (local.get $h) (local.get $rcb)) (local.get $w) (i32.add (local.get $anchors) (local.get $rcb))
      (i32.mul (i32.sub (local.get $n) (i32.const 1)) (local.get $rows)) (local.get $cols) (local.get $cols)
      (local.get $rb) (i32.const 4))
    (call $bias_rows (i32.add (local.get $anchors) (local.get $rcb)) (local.get $b)
      (i32.mul (i32.sub (local.get $n) (i32.const 1)) (local.get $rows)) (local.get $cols))
    (if (local.get $act)
      (then (call $tanh (i32.add (local.get $anchors) (local.get $rcb)) (i32.add (local.get $anchors) (local.get $rcb))
        (i32.mul (i32.sub (local.get $n) (i32.const 1)) (local.get $rc)))))
    (local.set $hasFuture (i32.const 0))
    (local.set $i (local.get $n))
    (block $steps_done (loop $steps
      (br_if $steps_done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $step (i32.mul (local.get $i) (local.get $rcb)))
      (local.set $hasTop (f32.ne (f32.load (i32.add (local.get $has) (i32.shl (local.get $i) (i32.const 2)))) (f32.const 0)))
      ;; d = top + future, either alone, or none
      (if (i32.and (i32.eqz (local.get $hasTop)) (i32.eqz (local.get $hasFuture)))
        (then
          (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
          (br $steps)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.const 1))
      (local.set $at (i32.const 0))
      (block $d_done (loop $d_loop
        (br_if $d_done (i32.ge_u (local.get $at) (local.get $rcb)))
        (local.set $x
          (if (result f32) (local.get $hasTop)
            (then
              (if (result f32) (local.get $hasFuture)
                (then (f32.add (f32.load (i32.add (i32.add (local.get $top) (local.get $step)) (local.get $at)))
                               (f32.load (i32.add (local.get $future) (local.get $at)))))
                (else (f32.load (i32.add (i32.add (local.get $top) (local.get $step)) (local.get $at))))))
            (else (f32.load (i32.add (local.get $future) (local.get $at))))))
        (f32.store (i32.add (local.get $d) (local.get $at)) (local.get $x))
        (f32.store (i32.add (i32.add (local.get $t) (local.get $step)) (local.get $at))
          (f32.add (f32.load (i32.add (i32.add (local.get $h) (local.get $step)) (local.get $at))) (local.get $x)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $d_loop)))
      (if (i32.eqz (local.get $i))
        (then
          (local.set $hasFuture (i32.const 0))
          (br $steps)))
      ;; back = g(ĥ) − g(h), clipped per row, masked
      (call $product (i32.add (local.get $t) (local.get $step)) (local.get $w) (local.get $back)
        (local.get $rows) (local.get $cols) (local.get $cols) (local.get $rb) (i32.const 4))
      (call $bias_rows (local.get $back) (local.get $b) (local.get $rows) (local.get $cols))
      (if (local.get $act) (then (call $tanh (local.get $back) (local.get $back) (local.get $rc))))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $row_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $at (i32.mul (local.get $r) (local.get $rb)))
        (local.set $na (f64.const 0))
        (local.set $c (i32.const 0))
        (block $diff_done (loop $diff
          (br_if $diff_done (i32.ge_u (local.get $c) (local.get $rb)))
          (local.set $v (f32.sub
            (f32.load (i32.add (local.get $back) (i32.add (local.get $at) (local.get $c))))
            (f32.load (i32.add (i32.add (local.get $anchors) (local.get $step)) (i32.add (local.get $at) (local.get $c))))))
          (f32.store (i32.add (local.get $future) (i32.add (local.get $at) (local.get $c))) (local.get $v))
          (local.set $na (f64.add (local.get $na)
            (f64.mul (f64.promote_f32 (local.get $v)) (f64.promote_f32 (local.get $v)))))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $diff)))
        (local.set $scale (f64.const 1))
        (if (f64.gt (local.get $clip) (f64.const 0))
          (then
            (local.set $nr (f64.const 0))
            (local.set $c (i32.const 0))
            (block $nr_done (loop $nr_loop
              (br_if $nr_done (i32.ge_u (local.get $c) (local.get $rb)))
              (local.set $nr (f64.add (local.get $nr)
                (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $d) (i32.add (local.get $at) (local.get $c)))))
                  (f64.promote_f32 (f32.load (i32.add (local.get $d) (i32.add (local.get $at) (local.get $c))))))))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $nr_loop)))
            (local.set $nr (f64.mul (local.get $clip) (f64.sqrt (local.get $nr))))
            (local.set $na (f64.sqrt (local.get $na)))
            (if (f64.gt (local.get $na) (local.get $nr))
              (then (local.set $scale (f64.div (local.get $nr) (local.get $na)))))))
        (if (f64.ne (local.get $scale) (f64.const 1))
          (then
            (local.set $c (i32.const 0))
            (block $scale_done (loop $scale_loop
              (br_if $scale_done (i32.ge_u (local.get $c) (local.get $rb)))
              (f32.store (i32.add (local.get $future) (i32.add (local.get $at) (local.get $c)))
                (f32.demote_f64 (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $future) (i32.add (local.get $at) (local.get $c)))))
                  (local.get $scale))))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $scale_loop)))))
        (local.set $m (f32.load (i32.add (local.get $cont)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $rows)) (local.get $r)) (i32.const 2)))))
        (if (f32.ne (local.get $m) (f32.const 1))
          (then
            (local.set $c (i32.const 0))
            (block $mask_done (loop $mask_loop
              (br_if $mask_done (i32.ge_u (local.get $c) (local.get $rb)))
              (f32.store (i32.add (local.get $future) (i32.add (local.get $at) (local.get $c)))
                (f32.mul (f32.load (i32.add (local.get $future) (i32.add (local.get $at) (local.get $c)))) (local.get $m)))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $mask_loop)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row_loop)))
      (local.set $hasFuture (i32.const 1))
      (br $steps))))
)
