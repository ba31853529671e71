// TimelineBuffer: the device memory instrumented kernels write their per-CTA records to
// (loom/timeline.cuh), pointed to from each loaded module, read back after a step.
#pragma once

#include "runtime/CUDA/Module.h"
#include "runtime/CUDA/Stream.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace loom::rt {

/// One CTA of one launch: the host mirror of loom::TimelineRecord.
struct TimelineRecord {
  uint32_t kernel = 0; ///< the id attach() gave the kernel's module
  uint32_t block = 0;  ///< linear block index
  uint32_t sm = 0;
  uint32_t grid = 0;                           ///< CTAs in the launch
  uint64_t entry = 0, afterWait = 0, exit = 0; ///< %globaltimer ns; afterWait 0: no wait seen
};
static_assert(sizeof(TimelineRecord) == 40, "must match loom::TimelineRecord");

/// The host mirror of loom::TimelineTarget (the `loom_timeline` variable of each module).
struct TimelineTarget {
  uint64_t records = 0, afterWait = 0, count = 0;
  uint32_t capacity = 0, afterWaitSlots = 0, kernel = 0, reserved = 0;
};
static_assert(sizeof(TimelineTarget) == 40, "must match loom::TimelineTarget");

/// What one read-back holds.
struct TimelineSnapshot {
  std::vector<TimelineRecord> records; ///< in slot order (CTA exit order)
  uint64_t dropped = 0;                ///< CTAs that found the buffer full
};

class TimelineBuffer {
public:
  /// Room for `capacity` records; CTAs with a linear block index below `maxBlocks` record
  /// their wait time. `context` must be current and outlive the buffer.
  static StatusOr<std::unique_ptr<TimelineBuffer>>
  create(const Context &context, uint32_t capacity = 1u << 20, uint32_t maxBlocks = 1u << 16);
  ~TimelineBuffer();
  TimelineBuffer(const TimelineBuffer &) = delete;
  TimelineBuffer &operator=(const TimelineBuffer &) = delete;

  /// Points `module`'s `loom_timeline` variable at this buffer, its records tagged `kernel`.
  /// kNotFound when the module was not compiled with LOOM_TIMELINE.
  Status attach(const Module &module, uint32_t kernel) const;
  /// Empties the buffer (enqueued on `stream`).
  Status reset(const Stream &stream) const;
  /// Waits for `stream`, then copies the records back.
  StatusOr<TimelineSnapshot> read(const Stream &stream) const;

private:
  TimelineBuffer(const Context &context, CUdeviceptr base, uint32_t capacity, uint32_t maxBlocks)
      : context_(context), base_(base), capacity_(capacity), maxBlocks_(maxBlocks) {}
  CUdeviceptr countAddress() const { return base_; }
  CUdeviceptr recordsAddress() const { return base_ + 256; }
  CUdeviceptr afterWaitAddress() const {
    return recordsAddress() + uint64_t(capacity_) * sizeof(TimelineRecord);
  }

  const Context &context_;
  CUdeviceptr base_;
  uint32_t capacity_, maxBlocks_;
};

} // namespace loom::rt
