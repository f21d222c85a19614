/**
 * JMH microbenchmarks of the per-event hot path, run with {@code bin/streamhook jmh [JMH options]}
 * (results and how to read them: docs/bench/jmh.md). Classes are named {@code *Benchmark} so
 * surefire does not take them for tests. Each class carries a {@code baseline*} method where a
 * yardstick makes sense, so results read as ratios on a noisy machine.
 *
 * <p>The store benchmarks ({@code StoreAppendBenchmark}, {@code StoreClaimBenchmark}) open a real
 * store through {@code BenchStore}; {@code StoreQueryPlans} prints the plans behind them.
 * {@code dev.streamhook.capture.ChangeAssemblerBenchmark} lives in the capture package because
 * ChangeAssembler is package-private.
 */
package dev.streamhook.bench.jmh;
