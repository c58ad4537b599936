{
  "targets": [
    {
      "target_name": "grasp_blas",
      "sources": ["src/blas.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fopenmp-simd"],
      "libraries": ["-lopenblas", "-lpthread"]
    }
  ]
}
