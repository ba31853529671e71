// RUN: loom-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{pointer element type must be bf16, f16, f32, i32 or i64, got 'i8'}}
tile.kernel @k(%x: !tile.ptr<i8>) attributes {ops = [], param_names = ["x"]} {
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{shared buffer element type must be bf16, f16, f32, i32 or i64, got 'i1'}}
  %s = tile.alloc_shared : !tile.shared<i1, [4]>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{shared buffer extents must be positive, got 0}}
  %s = tile.alloc_shared : !tile.shared<bf16, [2, 0]>
  tile.return
}

// -----

// expected-error @+1 {{a kernel returns nothing, got 1 results}}
tile.kernel @k(%n: i32) -> i32 attributes {ops = [], param_names = ["n"]} {
  tile.return
}

// -----

// expected-error @+1 {{has 1 parameters but 2 param_names}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["n", "m"]} {
  tile.return
}

// -----

// expected-error @+1 {{parameter name '2x' is not a C identifier}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["2x"]} {
  tile.return
}

// -----

// expected-error @+1 {{parameter name 'n' is used twice}}
tile.kernel @k(%n: i32, %m: i32) attributes {ops = [], param_names = ["n", "n"]} {
  tile.return
}

// -----

// expected-error @+1 {{parameter 'n' must be a !tile.ptr, i32 or f32, got 'i64'}}
tile.kernel @k(%n: i64) attributes {ops = [], param_names = ["n"]} {
  tile.return
}

// -----

// expected-error @+1 {{block must have 3 positive extents}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["n"], block = array<i32: 128, 0, 1>} {
  tile.return
}

// -----

// expected-error @+1 {{block of 2048 threads exceeds 1024}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["n"], block = array<i32: 1024, 2, 1>} {
  tile.return
}

// -----

// expected-error @+1 {{grid must have 3 extents, got 1}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["n"], grid = ["tokens"]} {
  tile.return
}

// -----

// expected-error @+1 {{config entry 'bm' must be an integer}}
tile.kernel @k(%n: i32) attributes {ops = [], param_names = ["n"], config = {bm = "big"}} {
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
// expected-error @+1 {{dim 'tokens' needs an integer bound}}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = "many"}, inputs = [{name = "x"}], outputs = [], weights = []} {

}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
// expected-error @+1 {{every entry of inputs needs a string 'name'}}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{dtype = "bf16"}], outputs = [], weights = []} {

}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{'missing' is not a tile.kernel}}
  tile.launch @missing []
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{binds 1 parameters but 'k' has 2}}
  tile.launch @k ["input:x"]
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{binding 'tensor:x' has an unknown kind}}
  tile.launch @k ["tensor:x", "dim:tokens"]
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{binding 'dim:tokens' does not fit parameter 'x' of type '!tile.ptr<bf16>'}}
  tile.launch @k ["dim:tokens", "dim:tokens"]
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{binding 'input:z' names no input of the launch program}}
  tile.launch @k ["input:z", "dim:tokens"]
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{binding 'dim:seqs' names no dim of the launch program}}
  tile.launch @k ["input:x", "dim:seqs"]
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{has 2 indices but 1 bounds}}
  %t = tile.load %x[%p, %c0] bounds(%n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{tile rank 2, shape of 1 names and 2 indices must agree}}
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{tile extent 0 must be positive}}
  %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["0"]} : !tile.ptr<bf16> -> tensor<?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{tile dimension 1 is 8 but the shape says 16}}
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "16"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"], config = {block = 256 : i64}} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{tile extent 'bm' is not in the kernel's config}}
  %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["bm"]} : !tile.ptr<bf16> -> tensor<?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{tile element type 'f16' must be f32 or the pointer's 'bf16'}}
  %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<bf16> -> tensor<?xf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<bf16> -> tensor<?xf32>
  %i = arith.constant dense<0> : tensor<4xi32>
  // expected-error @+1 {{tile element type 'i32' must be f32 or the pointer's 'bf16'}}
  tile.store %i, %y[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["4"]} : tensor<4xi32>, !tile.ptr<bf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{result must be a column [rows, 1], got 'tensor<?x2xf32>'}}
  %s = tile.row_scale %x[%p] sizes(%n, %n) {eps = 1.0e-5 : f32} : !tile.ptr<bf16> -> tensor<?x2xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{eps must be positive}}
  %s = tile.row_scale %x[%p] sizes(%n, %n) {eps = 0.0 : f32} : !tile.ptr<bf16> -> tensor<?x1xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %w: !tile.ptr<f16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "w", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{operand element types differ: 'bf16' and 'f16'}}
  %a = tile.dot %x[%p], %w[%p] sizes(%n, %n, %n) : !tile.ptr<bf16>, !tile.ptr<f16> -> tensor<?x?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{accumulator must be a 2-D tile, got 'tensor<?xf32>'}}
  %a = tile.dot %x[%p], %y[%p] sizes(%n, %n, %n) : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %s = arith.constant dense<1.0> : tensor<4xf32>
  // expected-error @+1 {{scale must be a column [rows, 1], got 'tensor<4xf32>'}}
  %a = tile.dot %x[%p], %y[%p] sizes(%n, %n, %n) scale(%s : tensor<4xf32>) : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %r = tile.alloc_shared : !tile.shared<f16, [2, 64, 32]>
  // expected-error @+1 {{staging buffer holds 'f16' but the operands are 'bf16'}}
  %a = tile.dot %x[%p], %y[%p] sizes(%n, %n, %n) staging(%r : !tile.shared<f16, [2, 64, 32]>) : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{'add' takes 2 operands, got 1}}
  %m = tile.map <add> %t : (tensor<?x8xf32>) -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{result must be f32 (only cast rounds), got 'tensor<?x8xbf16>'}}
  %m = tile.map <silu> %t : (tensor<?x8xf32>) -> tensor<?x8xbf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{operand 'tensor<?x8xf32>' has a higher rank than the result}}
  %m = tile.map <silu> %t : (tensor<?x8xf32>) -> tensor<8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  %b = arith.constant dense<1.0> : tensor<4xf32>
  // expected-error @+1 {{operand 'tensor<4xf32>' does not broadcast to 'tensor<?x8xf32>'}}
  %m = tile.map <add> %t, %b : (tensor<?x8xf32>, tensor<4xf32>) -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{axis 2 is outside a tile of rank 2}}
  %r = tile.reduce <sum> %t {axis = 2 : i64} : tensor<?x8xf32> -> tensor<?x1xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{result must keep axis 1 with extent 1, got 'tensor<?xf32>'}}
  %r = tile.reduce <sum> %t {axis = 1 : i64} : tensor<?x8xf32> -> tensor<?xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %t = tile.load %x[%p, %c0] bounds(%n, %n) {layout = #tile.layout<row>, shape = ["rows", "8"]} : !tile.ptr<bf16> -> tensor<?x8xf32>
  // expected-error @+1 {{result element type must be i32}}
  %r = tile.reduce <argmax> %t {axis = 1 : i64} : tensor<?x8xf32> -> tensor<?x1xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %n: i32) attributes {ops = [], param_names = ["x", "ids", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %i = arith.constant dense<0> : tensor<2x2xi32>
  // expected-error @+1 {{ids must be a 1-D tile, got 'tensor<2x2xi32>'}}
  %g = tile.gather %x[%i] vocab(%n) : !tile.ptr<bf16>, tensor<2x2xi32> -> tensor<?x8xbf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %n: i32) attributes {ops = [], param_names = ["x", "ids", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %i = tile.load %ids[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
  // expected-error @+1 {{result must be rows of a static width, got 'tensor<?x?xbf16>'}}
  %g = tile.gather %x[%i] vocab(%n) : !tile.ptr<bf16>, tensor<?xi32> -> tensor<?x?xbf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %n: i32) attributes {ops = [], param_names = ["x", "ids", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %i = tile.load %ids[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
  // expected-error @+1 {{gathered rows keep the table's element type 'bf16'}}
  %g = tile.gather %x[%i] vocab(%n) : !tile.ptr<bf16>, tensor<?xi32> -> tensor<?x8xf32>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %n: i32) attributes {ops = [], param_names = ["x", "ids", "n"]} {
  %p = tile.program_id 0
  %i = tile.load %ids[%p] bounds(%n) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
  // expected-error @+1 {{error record must be i32, got '!tile.ptr<bf16>'}}
  %g = tile.gather %x[%i] vocab(%n) errors(%x) : !tile.ptr<bf16>, tensor<?xi32>, !tile.ptr<bf16> -> tensor<?x8xbf16>
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "y", "n"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{attribute 'axis' failed to satisfy constraint: 32-bit signless integer attribute whose minimum value is 0 whose maximum value is 2}}
  %q = tile.program_id 3
  tile.return
}

// -----

tile.kernel @k(%x: !tile.ptr<bf16>, %n: i32) attributes {ops = [], param_names = ["x", "n"]} {
  tile.return
}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 8 : i64}, inputs = [{name = "x"}], outputs = [], weights = []} {
  // expected-error @+1 {{guard 'when' of 'k' is empty (leave it out to launch on every step)}}
  tile.launch @k ["input:x", "dim:tokens"] when " "
}
