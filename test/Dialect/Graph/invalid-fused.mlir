// RUN: loom-opt %s --split-input-file --verify-diagnostics

func.func @unknown_kind(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{unknown fusion kind 'reduction'}}
  %y = graph.fused reduction "fused_silu_0" (%a = %x) : (tensor<?x64xf32>) -> tensor<?x64xf32> {
    %0 = graph.silu %a : tensor<?x64xf32>
    graph.yield %0 : tensor<?x64xf32>
  }
  return %y : tensor<?x64xf32>
}

// -----

func.func @capture_count(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{captures 1 values but the signature has 2 inputs}}
  %y = graph.fused elementwise "fused_silu_0" (%a = %x) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32> {
    %0 = graph.silu %a : tensor<?x64xf32>
    graph.yield %0 : tensor<?x64xf32>
  }
  return %y : tensor<?x64xf32>
}

// -----

func.func @empty_name(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'graph.fused' op name must not be empty}}
  %y = graph.fused elementwise "" (%a = %x) : (tensor<?x64xf32>) -> tensor<?x64xf32> {
    %0 = graph.silu %a : tensor<?x64xf32>
    graph.yield %0 : tensor<?x64xf32>
  }
  return %y : tensor<?x64xf32>
}

// -----

func.func @yield_types(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'graph.fused' op yields ('tensor<?x64xbf16>') but the results are ('tensor<?x64xf32>')}}
  %y = graph.fused elementwise "fused_cast_0" (%a = %x) : (tensor<?x64xf32>) -> tensor<?x64xf32> {
    %0 = graph.cast %a : tensor<?x64xf32> to tensor<?x64xbf16>
    graph.yield %0 : tensor<?x64xbf16>
  }
  return %y : tensor<?x64xf32>
}

// -----

func.func @argument_types(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'graph.fused' op body argument 0 has type 'tensor<?x64xbf16>' but captures a value of type 'tensor<?x64xf32>'}}
  %y = "graph.fused"(%x) ({
  ^bb0(%a: tensor<?x64xbf16>):
    %0 = graph.cast %a : tensor<?x64xbf16> to tensor<?x64xf32>
    graph.yield %0 : tensor<?x64xf32>
  }) {kind = #graph.fusion_kind<elementwise>, name = "fused_cast_0"} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @argument_count(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'graph.fused' op body has 0 arguments but 1 values are captured}}
  %y = "graph.fused"(%x) ({
    %0 = graph.weight "w" : tensor<4x64xf32>
    %1 = graph.cast %0 : tensor<4x64xf32> to tensor<4x64xf32>
    graph.yield %0 : tensor<4x64xf32>
  }) {kind = #graph.fusion_kind<elementwise>, name = "fused_cast_0"} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @no_yield(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'graph.fused' op body must end with graph.yield}}
  %y = "graph.fused"(%x) ({
  ^bb0(%a: tensor<?x64xf32>):
    "func.return"(%a) : (tensor<?x64xf32>) -> ()
  }) {kind = #graph.fusion_kind<elementwise>, name = "fused_0"} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @isolated(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = graph.fused elementwise "fused_add_0" (%a = %x) : (tensor<?x64xf32>) -> tensor<?x64xf32> {
    // expected-error @+1 {{using value defined outside the region}}
    %0 = graph.add %a, %x : tensor<?x64xf32>
    graph.yield %0 : tensor<?x64xf32>
  }
  return %y : tensor<?x64xf32>
}

// -----

func.func @yield_outside(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{'graph.yield' op expects parent op 'graph.fused'}}
  graph.yield %x : tensor<?x64xf32>
}
