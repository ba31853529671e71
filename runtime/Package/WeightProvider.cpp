// Building a package weight from checkpoint tensors: its recipe evaluated in f32 in parallel
// chunks, then converted (into pinned staging buffers, on the way to the device).
#include "runtime/Package/WeightProvider.h"

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Package/HostConvert.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <map>
#include <memory>

namespace loom::rt {

namespace {

/// Host buffers handed from one weight's intermediate arrays to the next. A fresh buffer costs a
/// page fault per 4 KiB on first touch, and those faults serialize the parallel passes (on the
/// build machine, one Llama-3.2-1B layer: 0.57 s on 1 or 2 threads with fresh memory, 0.33 /
/// 0.22 s with reused memory).
class BufferPool {
public:
  /// The smallest free buffer of at least `count` floats, or a new one; sets its capacity.
  std::unique_ptr<float[]> acquire(size_t count, size_t &capacity) {
    auto fit = free_.lower_bound(count);
    if (fit == free_.end()) {
      capacity = count;
      return std::unique_ptr<float[]>(new float[std::max<size_t>(count, 1)]);
    }
    capacity = fit->first;
    std::unique_ptr<float[]> buffer = std::move(fit->second);
    free_.erase(fit);
    return buffer;
  }
  void release(std::unique_ptr<float[]> buffer, size_t capacity) {
    free_.emplace(capacity, std::move(buffer));
  }

private:
  std::multimap<size_t, std::unique_ptr<float[]>> free_;
};

/// A dense row-major f32 array: a recipe's intermediate value. The values start uninitialized
/// (every producer writes all of them, in parallel chunks, so no serial zeroing pass); the
/// buffer goes back to its pool with the array.
class HostArray {
public:
  HostArray(BufferPool &pool, std::vector<int64_t> extents, size_t count)
      : shape(std::move(extents)), size(count), pool_(&pool), storage_(pool.acquire(count, capacity_)) {}
  HostArray(HostArray &&) = default;
  HostArray &operator=(HostArray &&) = delete;
  ~HostArray() {
    if (storage_)
      pool_->release(std::move(storage_), capacity_);
  }
  float *values() const { return storage_.get(); }

  std::vector<int64_t> shape;
  size_t size = 0;

private:
  BufferPool *pool_;
  size_t capacity_ = 0;
  std::unique_ptr<float[]> storage_;
};

/// What the recipe passes share: how to split their work and where their buffers come from.
struct Scratch {
  const MaterializeOptions &options;
  BufferPool &buffers;
};

int64_t product(const std::vector<int64_t> &shape, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t n = 1;
  for (size_t i = from; i < std::min(to, shape.size()); ++i)
    n *= shape[i];
  return n;
}

/// Runs body(begin, end) over [0, count) in chunks of options.chunkValues, on the pool when one
/// is given and there is more than one chunk.
void forChunks(const MaterializeOptions &options, size_t count,
               const std::function<void(size_t, size_t)> &body) {
  size_t chunk = std::max<size_t>(options.chunkValues, 1);
  if (count == 0) // a weight with a zero-length dimension: bodies may divide by its extents
    return;
  if (!options.pool || count <= chunk) {
    body(0, count);
    return;
  }
  std::vector<std::future<void>> chunks;
  for (size_t begin = 0; begin < count; begin += chunk)
    chunks.push_back(options.pool->submit([&body, begin, end = std::min(count, begin + chunk)] {
      body(begin, end);
    }));
  for (std::future<void> &done : chunks)
    done.get();
}

/// Converts values[begin, end) of f32 to `to` at `out` (which receives (end - begin) elements).
void convertRange(const float *values, size_t begin, size_t end, DType to, std::byte *out) {
  switch (to) {
  case DType::kBF16:
  case DType::kF16: {
    auto narrow = to == DType::kBF16 ? floatToBf16 : floatToF16;
    for (size_t i = begin; i < end; ++i) {
      uint16_t bits = narrow(values[i]);
      std::memcpy(out + (i - begin) * 2, &bits, 2);
    }
    return;
  }
  default:
    std::memcpy(out, values + begin, (end - begin) * 4);
    return;
  }
}

/// kInvalidArgument unless `dtype` is a float type a weight can be stored in.
Status checkStorable(DType dtype, const std::string &weight) {
  if (dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kF16)
    return Status::ok();
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("weight '{}': cannot convert f32 to {}", weight, dtypeName(dtype)));
}

Status recipeError(const std::string &weight, const std::string &what) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("weight '{}': {}", weight, what));
}

StatusOr<HostArray> loadTensor(const std::string &name, WeightProvider &provider, Scratch &scratch) {
  LOOM_ASSIGN_OR_RETURN(HostTensorView view, provider.tensor(name));
  size_t width = dtypeBytes(view.dtype);
  if (static_cast<int64_t>(view.data.size()) != product(view.shape) * static_cast<int64_t>(width))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("checkpoint tensor '{}' has {} bytes for shape [{}] of {}", name,
                                  view.data.size(), fmt::join(view.shape, ", "), dtypeName(view.dtype)));
  // The same conversion as every chunk's below, on no data: its error for a non-float dtype.
  if (auto check = convertElements({}, view.dtype, DType::kF32); !check)
    return check.status().withContext(fmt::format("checkpoint tensor '{}'", name));
  HostArray array(scratch.buffers, view.shape, view.data.size() / width);
  forChunks(scratch.options, array.size, [&](size_t begin, size_t end) {
    std::span<const std::byte> part = view.data.subspan(begin * width, (end - begin) * width);
    if (view.dtype == DType::kF32) {
      std::memcpy(array.values() + begin, part.data(), part.size());
      return;
    }
    auto floats = convertElements(part, view.dtype, DType::kF32); // cannot fail: checked above
    std::memcpy(array.values() + begin, floats->data(), floats->size());
  });
  return array;
}

StatusOr<HostArray> concat(const std::vector<HostArray> &parts, int64_t axisValue,
                           const std::string &weight, Scratch &scratch) {
  size_t rank = parts[0].shape.size();
  if (axisValue < 0 || static_cast<size_t>(axisValue) >= rank)
    return recipeError(weight, fmt::format("concat axis {} is outside rank {}", axisValue, rank));
  size_t axis = static_cast<size_t>(axisValue);
  std::vector<int64_t> shape = parts[0].shape;
  shape[axis] = 0;
  for (const HostArray &part : parts) {
    bool fits = part.shape.size() == rank;
    for (size_t d = 0; fits && d < rank; ++d)
      fits = d == axis || part.shape[d] == parts[0].shape[d];
    if (!fits)
      return recipeError(weight, fmt::format("concat part of shape [{}] does not fit [{}] along axis {}",
                                             fmt::join(part.shape, ", "), fmt::join(parts[0].shape, ", "), axis));
    shape[axis] += part.shape[axis];
  }
  // An output row (one index of the dims before `axis`) is every part's row of `inner` values.
  std::vector<size_t> inner, startInRow;
  size_t rowLength = 0;
  for (const HostArray &part : parts) {
    inner.push_back(static_cast<size_t>(product(part.shape, axis)));
    startInRow.push_back(rowLength);
    rowLength += inner.back();
  }
  HostArray out(scratch.buffers, shape, static_cast<size_t>(product(shape)));
  forChunks(scratch.options, out.size, [&](size_t begin, size_t end) {
    for (size_t flat = begin; flat < end;) {
      size_t row = flat / rowLength, inRow = flat % rowLength, p = parts.size() - 1;
      while (startInRow[p] > inRow)
        --p;
      size_t offset = inRow - startInRow[p];
      size_t count = std::min(end - flat, inner[p] - offset);
      std::memcpy(out.values() + flat, parts[p].values() + row * inner[p] + offset, count * 4);
      flat += count;
    }
  });
  return out;
}

StatusOr<HostArray> transpose(const HostArray &in, const std::vector<int64_t> &perm,
                              const std::string &weight, Scratch &scratch) {
  size_t rank = in.shape.size();
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (int64_t p : perm)
    valid = valid && p >= 0 && static_cast<size_t>(p) < rank && !seen[p] && (seen[p] = true);
  if (!valid)
    return recipeError(weight, fmt::format("transpose permutation [{}] does not permute rank {}",
                                           fmt::join(perm, ", "), rank));
  std::vector<int64_t> shape(rank);
  for (size_t d = 0; d < rank; ++d)
    shape[d] = in.shape[perm[d]];
  HostArray out(scratch.buffers, shape, in.size);
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * in.shape[d];
  forChunks(scratch.options, out.size, [&](size_t begin, size_t end) {
    std::vector<int64_t> index(rank, 0);
    for (size_t d = rank, rest = begin; d-- > 0; rest /= static_cast<size_t>(shape[d]))
      index[d] = static_cast<int64_t>(rest % static_cast<size_t>(shape[d]));
    for (size_t flat = begin; flat < end; ++flat) {
      int64_t source = 0;
      for (size_t d = 0; d < rank; ++d)
        source += index[d] * inStrides[perm[d]];
      out.values()[flat] = in.values()[source];
      for (size_t d = rank; d-- > 0;) { // advance the output index, last dimension fastest
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
  });
  return out;
}

StatusOr<HostArray> scale(HostArray in, const HostArray &vector, int64_t axis, const std::string &weight,
                          Scratch &scratch) {
  if (axis < 0 || static_cast<size_t>(axis) >= in.shape.size() || vector.shape.size() != 1 ||
      vector.shape[0] != in.shape[axis])
    return recipeError(weight, fmt::format("scale by a vector of shape [{}] along axis {} of [{}]",
                                           fmt::join(vector.shape, ", "), axis, fmt::join(in.shape, ", ")));
  size_t inner = static_cast<size_t>(product(in.shape, static_cast<size_t>(axis) + 1));
  size_t extent = static_cast<size_t>(in.shape[axis]);
  forChunks(scratch.options, in.size, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      in.values()[i] *= vector.values()[(i / inner) % extent];
  });
  return in;
}

/// The same row-major values under another shape of the same element count.
StatusOr<HostArray> reshape(HostArray in, const std::vector<int64_t> &shape, const std::string &weight) {
  bool valid = std::all_of(shape.begin(), shape.end(), [](int64_t e) { return e >= 0; }) &&
               product(shape) == product(in.shape);
  if (!valid)
    return recipeError(weight, fmt::format("reshape of [{}] to [{}] changes the element count",
                                           fmt::join(in.shape, ", "), fmt::join(shape, ", ")));
  in.shape = shape;
  return in;
}

/// Rounds every value through `dtype` (f32 -> dtype -> f32).
StatusOr<HostArray> roundThrough(HostArray in, DType dtype, const std::string &weight,
                                 Scratch &scratch) {
  LOOM_RETURN_IF_ERROR(checkStorable(dtype, weight));
  forChunks(scratch.options, in.size, [&](size_t begin, size_t end) {
    std::span<const float> part(in.values() + begin, end - begin);
    auto narrow = convertElements(std::as_bytes(part), DType::kF32, dtype);
    auto back = convertElements(*narrow, dtype, DType::kF32);
    std::memcpy(in.values() + begin, back->data(), back->size());
  });
  return in;
}

StatusOr<HostArray> evaluate(const WeightRecipe &recipe, WeightProvider &provider,
                             const std::string &weight, Scratch &scratch) {
  if (recipe.kind == WeightRecipe::Kind::kTensor)
    return loadTensor(recipe.tensor, provider, scratch);
  std::vector<HostArray> of;
  for (const WeightRecipe &part : recipe.of) {
    LOOM_ASSIGN_OR_RETURN(auto value, evaluate(part, provider, weight, scratch));
    of.push_back(std::move(value));
  }
  switch (recipe.kind) {
  case WeightRecipe::Kind::kConcat:
    return concat(of, recipe.axis, weight, scratch);
  case WeightRecipe::Kind::kTranspose:
    return transpose(of[0], recipe.permutation, weight, scratch);
  case WeightRecipe::Kind::kScale:
    return scale(std::move(of[0]), of[1], recipe.axis, weight, scratch);
  case WeightRecipe::Kind::kReshape:
    return reshape(std::move(of[0]), recipe.shape, weight);
  case WeightRecipe::Kind::kCast:
    return roundThrough(std::move(of[0]), recipe.dtype, weight, scratch);
  case WeightRecipe::Kind::kTensor:
    break;
  }
  return LOOM_ERROR(StatusCode::kInternal, "unknown recipe kind");
}

/// The weight's f32 values, checked against the package's shape and storage dtype.
StatusOr<HostArray> evaluateWeight(const WeightSpec &spec, WeightProvider &provider, Scratch &scratch) {
  LOOM_RETURN_IF_ERROR(checkStorable(spec.dtype, spec.name));
  LOOM_ASSIGN_OR_RETURN(HostArray array, evaluate(spec.recipe, provider, spec.name, scratch));
  if (array.shape != spec.shape)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("weight '{}' has shape [{}], the package expects [{}]", spec.name,
                                  fmt::join(array.shape, ", "), fmt::join(spec.shape, ", ")));
  return array;
}

/// Page-locked buffers the converted weights pass through, each reused once its copy is done.
class StagingRing {
public:
  static constexpr size_t kSlots = 3;
  static constexpr size_t kSlotBytes = size_t{64} << 20;

  static StatusOr<std::unique_ptr<StagingRing>> create(const Context &context) {
    auto ring = std::unique_ptr<StagingRing>(new StagingRing);
    LOOM_ASSIGN_OR_RETURN(ring->stream_, Stream::create(context));
    for (size_t i = 0; i < kSlots; ++i) {
      LOOM_ASSIGN_OR_RETURN(PinnedHostBuffer buffer, PinnedHostBuffer::allocate(context, kSlotBytes));
      ring->buffers_.push_back(std::move(buffer));
      LOOM_ASSIGN_OR_RETURN(ring->copied_[i], Event::create(context));
    }
    return ring;
  }

  /// Converts values[0, count) to `dtype` through the slots and copies them to `dst` in order.
  Status upload(const HostArray &array, DType dtype, CUdeviceptr dst, const MaterializeOptions &options) {
    size_t width = dtypeBytes(dtype), perSlot = kSlotBytes / width;
    for (size_t begin = 0; begin < array.size; begin += perSlot) {
      size_t end = std::min(array.size, begin + perSlot), slot = next_++ % kSlots;
      if (used_[slot])
        LOOM_RETURN_IF_ERROR(copied_[slot]->synchronize());
      std::byte *staging = buffers_[slot].as<std::byte>();
      forChunks(options, end - begin, [&](size_t from, size_t to) {
        convertRange(array.values(), begin + from, begin + to, dtype, staging + from * width);
      });
      LOOM_RETURN_IF_ERROR(stream_->copyToDevice(dst + begin * width, staging, (end - begin) * width));
      LOOM_RETURN_IF_ERROR(copied_[slot]->record(*stream_));
      used_[slot] = true;
    }
    return Status::ok();
  }

  Status finish() const { return stream_->synchronize(); }

  /// An upload that failed part-way leaves copies in flight: they must end before the pinned
  /// buffers are freed (the error being returned is the one that matters, so this one is dropped).
  ~StagingRing() {
    if (stream_)
      static_cast<void>(stream_->synchronize());
  }

private:
  StagingRing() = default;
  std::unique_ptr<Stream> stream_;
  std::vector<PinnedHostBuffer> buffers_;
  std::array<std::unique_ptr<Event>, kSlots> copied_;
  std::array<bool, kSlots> used_{};
  size_t next_ = 0;
};

} // namespace

StatusOr<std::vector<std::byte>> materializeWeight(const WeightSpec &spec, WeightProvider &provider,
                                                   const MaterializeOptions &options) {
  BufferPool buffers;
  Scratch scratch{options, buffers};
  LOOM_ASSIGN_OR_RETURN(HostArray array, evaluateWeight(spec, provider, scratch));
  size_t width = dtypeBytes(spec.dtype);
  std::vector<std::byte> bytes(array.size * width);
  forChunks(options, array.size, [&](size_t begin, size_t end) {
    convertRange(array.values(), begin, end, spec.dtype, bytes.data() + begin * width);
  });
  return bytes;
}

StatusOr<std::map<std::string, DeviceBuffer, std::less<>>>
uploadWeights(const Context &context, const std::vector<WeightSpec> &specs, WeightProvider &provider,
              DeviceAllocator &allocator, const MaterializeOptions &options) {
  // Declared before the ring, so on an early error the ring (which waits for its copies) is
  // destroyed before the device buffers those copies write go back to the allocator.
  std::map<std::string, DeviceBuffer, std::less<>> uploaded;
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<StagingRing> ring, StagingRing::create(context));
  BufferPool buffers; // reused by every weight's arrays
  Scratch scratch{options, buffers};
  for (const WeightSpec &spec : specs) {
    LOOM_ASSIGN_OR_RETURN(HostArray array, evaluateWeight(spec, provider, scratch));
    LOOM_ASSIGN_OR_RETURN(DeviceBuffer buffer, allocator.allocate(array.size * dtypeBytes(spec.dtype)));
    LOOM_RETURN_IF_ERROR(ring->upload(array, spec.dtype, buffer.address(), options));
    uploaded[spec.name] = std::move(buffer);
  }
  LOOM_RETURN_IF_ERROR(ring->finish());
  return uploaded;
}

} // namespace loom::rt
