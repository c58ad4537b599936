// softmaxLoss: the sampled and full softmax losses' binding; the rows themselves are softmax_loss.cc's.
#include "addon.h"
#include "gemm.h"
#include "softmax_loss.h"
#include <atomic>
#include <vector>

namespace grasp::binding {

// softmaxLoss(states, table, targets: Int32Array, candidateIds: Int32Array, logQ, dStates, dTable, rows, d, numItems) → mean loss.
// Empty candidateIds: full softmax over table rows 1..numItems (the target among them). Otherwise
// sampled softmax: each target against the shared candidate rows (one equal to the target masked),
// minus logQ[k] when logQ is not empty. Writes d(mean loss)/d(states) and the dense d/d(table).
napi_value SoftmaxLossBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(10);
  View states, table, logQ, dStates, dTable;
  const int32_t *targets = nullptr, *ids = nullptr;
  size_t targetCount = 0, idCount = 0;
  int64_t rows = 0, d = 0, numItems = 0;
  if (argc != 10 || !float32View(env, args[0], &states.data, &states.length) || !float32View(env, args[1], &table.data, &table.length) ||
      !int32View(env, args[2], &targets, &targetCount) || !int32View(env, args[3], &ids, &idCount) || !float32View(env, args[4], &logQ.data, &logQ.length) ||
      !float32View(env, args[5], &dStates.data, &dStates.length) || !float32View(env, args[6], &dTable.data, &dTable.length) ||
      !int64Arg(env, args[7], &rows) || !int64Arg(env, args[8], &d) || !int64Arg(env, args[9], &numItems)) return typeError(env, "grasp_blas.softmaxLoss: expected (states, table, targets: Int32Array, candidateIds: Int32Array, logQ, dStates, dTable, rows, d, numItems)");
  const bool full = idCount == 0;
  const int64_t tableRows = d > 0 ? int64_t(table.length) / d : 0;
  const int64_t K = full ? numItems : int64_t(idCount);
  if (rows <= 0 || d <= 0 || int64_t(targetCount) != rows || int64_t(states.length) < rows * d || int64_t(dStates.length) < rows * d ||
      dTable.length < table.length || (full && (numItems <= 0 || numItems >= tableRows)) || (!full && logQ.length != 0 && int64_t(logQ.length) != K)) return rangeError(env, "grasp_blas.softmaxLoss: shapes do not fit the arrays");
  for (int64_t r = 0; r < rows; r++)
    if (targets[r] < (full ? 1 : 0) || targets[r] >= (full ? numItems + 1 : tableRows)) return rangeError(env, "grasp_blas.softmaxLoss: a target is outside the table");
  for (int64_t k = 0; k < int64_t(idCount); k++)
    if (ids[k] < 0 || ids[k] >= tableRows) return rangeError(env, "grasp_blas.softmaxLoss: a candidate is outside the table");
  std::vector<float> gathered;
  if (!full) {
    gathered.resize(size_t(K * d));
    for (int64_t k = 0; k < K; k++) std::copy(table.data + int64_t(ids[k]) * d, table.data + int64_t(ids[k] + 1) * d, gathered.begin() + k * d);
  }
  grasp::SoftmaxLoss a{states.data, table.data, targets, full ? table.data + d : gathered.data(), full ? nullptr : ids, logQ.length ? logQ.data : nullptr,
                       rows, d, K, float(1.0 / double(rows)), full};
  std::fill(dTable.data, dTable.data + table.length, 0.f);
  // Blocks of rows handed out in turn; each worker sums d(candidates) in its own buffer (worker 0
  // straight into the table's rows for the full softmax), so nothing is shared until the end.
  const int64_t block = std::max<int64_t>(16, std::min<int64_t>(256, (int64_t(1) << 21) / std::max<int64_t>(1, K)));
  const int workers = int(std::min<int64_t>(poolSize(), (rows + block - 1) / block));
  std::vector<std::vector<float>> partial(static_cast<size_t>(workers));
  std::vector<double> losses(size_t(workers), 0.0);
  std::vector<float> dPositive(full ? 0 : size_t(rows));
  std::atomic<int64_t> next{0};
  auto work = [&](int w) {
    if (w >= workers) return;
    float* dC;
    if (w == 0 && full) dC = dTable.data + d;
    else {
      partial[size_t(w)].assign(size_t(K * d), 0.f);
      dC = partial[size_t(w)].data();
    }
    float* scratch = grasp::threadScratch(2, block * K);  // reused across steps: the logits sgemm overwrites it
    for (int64_t r0; (r0 = next.fetch_add(block)) < rows;)
      losses[size_t(w)] += grasp::softmaxLossRows(a, r0, std::min(rows, r0 + block), dStates.data, dC, dPositive.data(), scratch);
  };
  if (workers <= 1) work(0);
  else poolRun(work);
  double loss = 0;
  for (double part : losses) loss += part;
  for (int w = 0; w < workers; w++) {
    if (partial[size_t(w)].empty()) continue;
    const float* p = partial[size_t(w)].data();
    for (int64_t k = 0; k < K; k++) {
      float* row = dTable.data + (full ? k + 1 : int64_t(ids[k])) * d;
      for (int64_t j = 0; j < d; j++) row[j] += p[k * d + j];
    }
  }
  if (!full)  // the positives' own logits: d(states) += dp · E[t], dE[t] += dp · h
    for (int64_t r = 0; r < rows; r++) {
      const float dp = dPositive[size_t(r)];
      const float* e = table.data + int64_t(targets[r]) * d;
      const float* h = states.data + r * d;
      float* dh = dStates.data + r * d;
      float* de = dTable.data + int64_t(targets[r]) * d;
      for (int64_t j = 0; j < d; j++) {
        dh[j] += dp * e[j];
        de[j] += dp * h[j];
      }
    }
  napi_value result;
  CHECK(napi_create_double(env, loss * double(a.scale), &result));
  return result;
}

}  // namespace grasp::binding
