# The addon built with node-gyp: the fallback node-gyp-build uses where no prebuild matches.
# Same sources and flags as CMakeLists.txt.
{
  "variables": {
    "variables": {
      "loadgen_dir": "<!(node scripts/loadgen-source.mjs dir)",
    },
    "loadgen_dir": "<(loadgen_dir)",
    "generated_dir": "<!(node scripts/generate-loadgen-files.mjs <(loadgen_dir) build/loadgen_generated)",
  },
  "targets": [
    {
      # LoadGen itself, unmodified, as upstream builds it (C++14, -O3); its warnings are not ours.
      "target_name": "loadgen_core",
      "type": "static_library",
      "sources": [
        "<!@(node scripts/loadgen-source.mjs sources-relative)",
        "<(generated_dir)/version_generated.cc",
      ],
      "include_dirs": ["<(loadgen_dir)", "<(generated_dir)"],
      "cflags_cc!": ["-std=gnu++17", "-fno-exceptions"],
      "cflags_cc": ["-std=c++14", "-O3", "-w", "-fexceptions", "-fPIC"],
      "direct_dependent_settings": {
        "include_dirs": ["<(loadgen_dir)"],
      },
    },
    {
      "target_name": "mlperf_loadgen",
      "sources": [
        "<!@(node -p \"require('node:fs').readdirSync('native').filter((f) => f.endsWith('.cc')).map((f) => 'native/' + f).join(' ')\")",
        "<!@(node -p \"require('node:fs').readdirSync('native/engine').filter((f) => f.endsWith('.cc')).map((f) => 'native/engine/' + f).join(' ')\")",
      ],
      "dependencies": ["loadgen_core"],
      "include_dirs": [
        "<!(node -p \"require('node:path').dirname(require.resolve('node-addon-api/package.json'))\")",
        # ONNX Runtime's headers (the pinned Debian package or MLPERF_LOADGEN_ORT_INCLUDE); compile-time only.
        "<!(node scripts/onnxruntime-headers.mjs dir)",
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fvisibility=hidden"],
      # dlopen only: no ONNX Runtime or CUDA library is linked.
      "libraries": ["-lpthread", "-ldl"],
    },
  ],
}
