// A malformed file is a located diagnostic and exit status 1, never a crash.
// RUN: not loom-opt %s 2>&1 | FileCheck %s
// RUN: loom-opt %s; test $? -eq 1

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error:
func.func @f(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %0 = graph.add %x : tensor<?x64xbf16>
  return %0 : tensor<?x64xbf16>
}
