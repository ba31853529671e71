// loom-jit: compile CUDA C++ through Loom's NVRTC + kernel cache, and report the JIT setup.
//   loom-jit compile FILE.cu [--arch=sm_90a] [-o OUT] [--ptx] [--name=N] [-DX=Y] [-I DIR]
//                            [--cache-dir=DIR | --no-cache] [--json]
//   loom-jit info
#include "runtime/CUDA/Context.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/NvrtcCompiler.h"
#include "runtime/DeviceLib/DeviceLib.h"
#include "runtime/Support/Files.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace loom;
using namespace loom::rt;

constexpr const char *kUsage =
    "usage: loom-jit compile FILE.cu [--arch=sm_80|sm_89|sm_90|sm_90a] [-o OUT] [--ptx]\n"
    "                        [--name=KERNEL] [-DNAME[=VALUE]] [-I DIR] [--cache-dir=DIR]\n"
    "                        [--no-cache] [--json]\n"
    "       loom-jit info\n";

struct CompileCommand {
  std::string input, output, cacheDir = KernelCache::defaultDirectory();
  bool ptx = false, json = false;
  CompileRequest request;
};

StatusOr<CompileCommand> parseCompile(const std::vector<std::string> &args) {
  CompileCommand command;
  auto valueOf = [](const std::string &arg, const std::string &flag) -> std::optional<std::string> {
    if (arg.rfind(flag, 0) == 0)
      return arg.substr(flag.size());
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    auto next = [&]() -> StatusOr<std::string> {
      if (i + 1 >= args.size())
        return Status(StatusCode::kInvalidArgument, arg + " needs a value");
      return args[++i];
    };
    if (auto v = valueOf(arg, "--arch=")) {
      LOOM_ASSIGN_OR_RETURN(command.request.arch, parseGpuArch(*v));
    } else if (arg == "--arch") {
      LOOM_ASSIGN_OR_RETURN(std::string v, next());
      LOOM_ASSIGN_OR_RETURN(command.request.arch, parseGpuArch(v));
    } else if (arg == "-o") {
      LOOM_ASSIGN_OR_RETURN(command.output, next());
    } else if (arg == "--ptx") {
      command.ptx = true;
    } else if (arg == "--json") {
      command.json = true;
    } else if (arg == "--no-cache") {
      command.cacheDir.clear();
    } else if (auto v = valueOf(arg, "--cache-dir=")) {
      command.cacheDir = *v;
    } else if (auto v = valueOf(arg, "--name=")) {
      command.request.name = *v;
    } else if (auto v = valueOf(arg, "-D")) {
      command.request.flags.defines.push_back(*v);
    } else if (arg == "-I") {
      LOOM_ASSIGN_OR_RETURN(std::string v, next());
      command.request.flags.includePaths.push_back(v);
    } else if (auto v = valueOf(arg, "-I")) {
      command.request.flags.includePaths.push_back(*v);
    } else if (arg == "--lineinfo") {
      command.request.flags.lineInfo = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Status(StatusCode::kInvalidArgument, "unknown option " + arg);
    } else if (command.input.empty()) {
      command.input = arg;
    } else {
      return Status(StatusCode::kInvalidArgument, "more than one input file: " + arg);
    }
  }
  if (command.input.empty())
    return Status(StatusCode::kInvalidArgument, "no input file");
  if (command.request.name.empty())
    command.request.name = std::filesystem::path(command.input).stem().string();
  LOOM_ASSIGN_OR_RETURN(command.request.source, readFile(command.input));
  return command;
}

Status runCompile(const std::vector<std::string> &args) {
  LOOM_ASSIGN_OR_RETURN(CompileCommand command, parseCompile(args));
  KernelCache cache(command.cacheDir);
  KernelCompiler compiler(cache, 1);
  LOOM_ASSIGN_OR_RETURN(CompileResult result, compiler.compile(command.request));
  const CompiledKernel &kernel = *result.kernel;
  if (!command.output.empty())
    LOOM_RETURN_IF_ERROR(writeFileAtomic(command.output, command.ptx ? kernel.ptx : kernel.cubin));
  else if (command.ptx)
    fmt::print("{}", kernel.ptx);

  if (command.json) {
    nlohmann::json report = {
        {"name", command.request.name}, {"arch", gpuArchName(command.request.arch)},
        {"origin", cacheOriginName(result.origin)}, {"milliseconds", result.milliseconds},
        {"cubin_bytes", kernel.cubin.size()}, {"ptx_bytes", kernel.ptx.size()},
        {"key", result.key}, {"cache_dir", cache.directory()}};
    for (const KernelResources &r : kernel.resources)
      report["kernels"].push_back({{"function", r.function}, {"registers", r.registers},
                                   {"shared_bytes", r.sharedBytes},
                                   {"spill_store_bytes", r.spillStoreBytes},
                                   {"spill_load_bytes", r.spillLoadBytes}});
    // JSON goes to stdout unless PTX already does.
    fmt::print(command.ptx && command.output.empty() ? stderr : stdout, "{}\n", report.dump());
    return Status::ok();
  }
  fmt::print(stderr, "{} ({}): {} in {:.3f} ms; cubin {} bytes, PTX {} bytes\n",
             command.request.name, gpuArchName(command.request.arch),
             cacheOriginName(result.origin), result.milliseconds, kernel.cubin.size(),
             kernel.ptx.size());
  for (const KernelResources &r : kernel.resources)
    fmt::print(stderr, "  {}: {} registers, {} bytes static shared, {} bytes spilled\n",
               r.function, r.registers, r.sharedBytes,
               std::max(0, r.spillStoreBytes) + std::max(0, r.spillLoadBytes));
  return Status::ok();
}

Status runInfo() {
  fmt::print("NVRTC:          {}\n", nvrtcVersion());
  std::string archs;
  for (const GpuArchInfo &info : gpuArchTable())
    archs.append(archs.empty() ? "" : " ").append(info.name);
  fmt::print("targets:        {}\n", archs);
  fmt::print("kernel cache:   {}\n", KernelCache::defaultDirectory());
  std::string headers;
  for (const EmbeddedHeader &header : deviceLibHeaders())
    headers.append(headers.empty() ? "" : " ").append(header.includeName);
  fmt::print("device library: {} (digest {})\n", headers, deviceLibDigest().substr(0, 16));
  StatusOr<const DriverApi *> api = driver();
  if (!api.isOk()) {
    fmt::print("CUDA driver:    not available ({})\n", api.status().message());
    return Status::ok();
  }
  int version = (*api)->driverVersion;
  fmt::print("CUDA driver:    {}.{}\n", version / 1000, version % 1000 / 10);
  StatusOr<int> count = deviceCount();
  if (!count.isOk()) {
    fmt::print("devices:        none ({})\n", count.status().message());
    return Status::ok();
  }
  for (int ordinal = 0; ordinal < *count; ++ordinal) {
    LOOM_ASSIGN_OR_RETURN(std::unique_ptr<Context> context, Context::create(ordinal));
    const DeviceInfo &info = context->info();
    StatusOr<GpuArch> arch = context->arch();
    fmt::print("device {}:       {} (compute {}.{}, {} SMs, {:.1f} GiB, {} KB shared/block "
               "opt-in) -> {}\n",
               ordinal, info.name, info.major, info.minor, info.multiprocessors,
               double(info.totalMemoryBytes) / (1 << 30), info.maxSharedBytesPerBlockOptin / 1024,
               arch.isOk() ? std::string(gpuArchName(*arch)) : "unsupported");
  }
  return Status::ok();
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print(stderr, "{}", kUsage);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  loom::Status status;
  if (command == "compile")
    status = runCompile(args);
  else if (command == "info")
    status = runInfo();
  else
    status = loom::Status(loom::StatusCode::kInvalidArgument, "unknown command " + command);
  if (!status.isOk()) {
    fmt::print(stderr, "loom-jit: {}\n", status.toString());
    if (status.code() == loom::StatusCode::kInvalidArgument)
      fmt::print(stderr, "{}", kUsage);
    return 1;
  }
  return 0;
}
