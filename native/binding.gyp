{
  # No BLAS library: the addon's own sgemm is compiled once per instruction set (x64: AVX2 and
  # AVX-512 beside the baseline) and picked when it loads. -fno-math-errno and -fno-trapping-math
  # change no value computed (errno and FP exception flags are never read here) but let GCC
  # vectorise loops with sqrt or float selects: without them those loops stay scalar.
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fopenmp-simd", "-ffp-contract=fast", "-fno-math-errno", "-fno-trapping-math", "-fPIC"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-exceptions", "-ffp-contract=fast", "-fno-math-errno", "-fno-trapping-math"]
    }
  },
  "targets": [
    {
      "target_name": "grasp_blas",
      "sources": [
        "src/addon.cc", "src/gemm_binding.cc", "src/adam.cc", "src/elementwise.cc", "src/attention.cc", "src/indexed_attention.cc",
        "src/rows.cc", "src/softmax_loss_binding.cc", "src/gru_binding.cc", "src/gemm.cc", "src/gemm_kernel.cc", "src/softmax_loss.cc", "src/gru.cc"
      ],
      "libraries": ["-lpthread"],
      "conditions": [
        ["target_arch=='x64'", {
          "defines": ["GRASP_GEMM_X64"],
          "dependencies": ["grasp_gemm_avx2", "grasp_gemm_avx512"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "grasp_gemm_avx2",
          "type": "static_library",
          "sources": ["src/gemm_kernel.cc"],
          "defines": ["GRASP_GEMM_ISA=1"],
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] }
        },
        {
          "target_name": "grasp_gemm_avx512",
          "type": "static_library",
          "sources": ["src/gemm_kernel.cc"],
          "defines": ["GRASP_GEMM_ISA=2"],
          "cflags_cc": ["-mavx512f", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mfma"] }
        }
      ]
    }]
  ]
}
