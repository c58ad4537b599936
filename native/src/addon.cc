// grasp_blas: the few dense kernels a training step spends its time in (one file per kernel family,
// addon.h lists them); this file holds the thread pool, the argument checks every binding shares, and
// the module's registration. Every matrix product goes through grasp::sgemm (gemm.h), picked for the
// CPU at load.
#include "addon.h"
#include "gemm.h"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace grasp::binding {

namespace {

int g_threads = 1;

// A small persistent pool: workers sleep on a condition variable between jobs (no spinning, so a
// busy machine loses nothing to idle threads), and sgemm itself is single-threaded: all
// parallelism is ours, so its threads and ours never compete for the same cores.
class Pool {
 public:
  void resize(int threads) {
    stop();
    size_ = std::max(1, threads);
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, i, start = generation_] { loop(i, start); });
  }
  int size() const { return size_; }
  // Runs task(w) for w in [0, size()), the caller doing w = 0; returns when all are done.
  void run(const std::function<void(int)>& task) {
    if (size_ == 1) return task(0);
    // One job at a time, even if the addon is used from several JS threads (worker_threads).
    std::lock_guard<std::mutex> serial(runMutex_);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      task_ = &task;
      pending_ = size_ - 1;
      generation_++;
    }
    wake_.notify_all();
    task(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }
  ~Pool() { stop(); }

 private:
  // `seen` starts at the generation current when the worker was made: earlier jobs are not its own.
  void loop(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        task = task_;
      }
      (*task)(index);
      std::unique_lock<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
  void stop() {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    quit_ = false;
  }
  std::vector<std::thread> workers_;
  std::mutex mutex_, runMutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
  int size_ = 1;
};


Pool pool;

}  // namespace

int poolSize() { return pool.size(); }
void poolRun(const std::function<void(int)>& task) { pool.run(task); }

bool float32View(napi_env env, napi_value value, float** data, size_t* length) {
  bool isTyped = false;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

bool int64Arg(napi_env env, napi_value value, int64_t* out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

bool doubleArg(napi_env env, napi_value value, double* out) {
  return napi_get_value_double(env, value, out) == napi_ok;
}

// Elements one operand of `batch` matrices of rows x cols reaches, with `stride` between matrices.
bool fits(int64_t batch, int64_t stride, int64_t rows, int64_t cols, size_t length) {
  if (batch <= 0 || rows < 0 || cols < 0 || stride < 0) return false;
  const int64_t last = (batch - 1) * stride + rows * cols;
  return last <= static_cast<int64_t>(length);
}

bool int32View(napi_env env, napi_value value, const int32_t** data, size_t* length) {
  bool isTyped = false;
  napi_typedarray_type type;
  size_t offset = 0;
  void* raw = nullptr;
  napi_value buffer;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_int32_array)
    return false;
  *data = static_cast<const int32_t*>(raw);
  return true;
}


bool views(napi_env env, napi_value* args, size_t count, View* out) {
  for (size_t i = 0; i < count; i++)
    if (!float32View(env, args[i], &out[i].data, &out[i].length)) return false;
  return true;
}

namespace {

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  int64_t n = 1;
  if (argc != 1 || !int64Arg(env, arg, &n) || n < 1 || n > 256) {
    napi_throw_range_error(env, nullptr, "grasp_blas.setThreads: expected an integer in [1, 256]");
    return nullptr;
  }
  g_threads = int(n);
  pool.resize(g_threads);
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, config, core, threads;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, grasp::gemmDescription(), NAPI_AUTO_LENGTH, &config));
  CHECK(napi_create_string_utf8(env, grasp::gemmCore(), NAPI_AUTO_LENGTH, &core));
  CHECK(napi_create_int32(env, g_threads, &threads));
  CHECK(napi_set_named_property(env, out, "blas", config));
  CHECK(napi_set_named_property(env, out, "core", core));
  CHECK(napi_set_named_property(env, out, "threads", threads));
  return out;
}


}  // namespace

napi_value Init(napi_env env, napi_value exports) {
  const char* reason = nullptr;
  if (!grasp::selectGemm(std::getenv("GRASP_GEMM"), &reason)) {
    napi_throw_error(env, nullptr, reason);
    return nullptr;
  }
  g_threads = std::max(1, int(std::thread::hardware_concurrency()));
  pool.resize(g_threads);
#define GRASP_PROPERTY(function, name) {name, nullptr, function, nullptr, nullptr, nullptr, napi_default, nullptr},
  napi_property_descriptor props[] = {
      GRASP_BINDINGS(GRASP_PROPERTY)
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
#undef GRASP_PROPERTY
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}


}  // namespace grasp::binding

NAPI_MODULE(NODE_GYP_MODULE_NAME, grasp::binding::Init)
