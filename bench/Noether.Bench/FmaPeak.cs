using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Noether.Bench;

/// <summary>
/// The machine's float FMA peak, the roof for GEMM GFLOP/s: 12 independent accumulator chains
/// (more than FMA latency × FMA ports on current x86 cores) per thread, best of several runs.
/// </summary>
public static class FmaPeak
{
    private const int Iterations = 20_000_000;

    public static string Measure()
    {
        var parts = new List<string>();
        foreach (int threads in new[] { 1, 2 })
        {
            parts.Add(Format("256", threads, Run(threads, 8, Loop256)));
            if (Vector512.IsHardwareAccelerated) parts.Add(Format("512", threads, Run(threads, 16, Loop512)));
        }
        return "{\"impl\":\"fma-peak\"," + string.Join(",", parts) + "}";
    }

    private static string Format(string width, int threads, double gflops) =>
        string.Create(CultureInfo.InvariantCulture, $"\"gflops_{width}_t{threads}\":{gflops:0.0}");

    private static double Run(int threads, int lanes, Func<int, float> loop)
    {
        loop(1000);
        double best = 0;
        for (int trial = 0; trial < 5; trial++)
        {
            var sw = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => loop(Iterations))).ToArray();
            foreach (var t in workers) t.Start();
            foreach (var t in workers) t.Join();
            best = Math.Max(best, threads * (double)Iterations * 12 * lanes * 2 / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop256(int iterations)
    {
        var x = Vector256.Create(1.0000001f); var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, y, x); a1 = Vector256.FusedMultiplyAdd(a1, y, x); a2 = Vector256.FusedMultiplyAdd(a2, y, x);
            a3 = Vector256.FusedMultiplyAdd(a3, y, x); a4 = Vector256.FusedMultiplyAdd(a4, y, x); a5 = Vector256.FusedMultiplyAdd(a5, y, x);
            a6 = Vector256.FusedMultiplyAdd(a6, y, x); a7 = Vector256.FusedMultiplyAdd(a7, y, x); a8 = Vector256.FusedMultiplyAdd(a8, y, x);
            a9 = Vector256.FusedMultiplyAdd(a9, y, x); a10 = Vector256.FusedMultiplyAdd(a10, y, x); a11 = Vector256.FusedMultiplyAdd(a11, y, x);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop512(int iterations)
    {
        var x = Vector512.Create(1.0000001f); var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, y, x); a1 = Vector512.FusedMultiplyAdd(a1, y, x); a2 = Vector512.FusedMultiplyAdd(a2, y, x);
            a3 = Vector512.FusedMultiplyAdd(a3, y, x); a4 = Vector512.FusedMultiplyAdd(a4, y, x); a5 = Vector512.FusedMultiplyAdd(a5, y, x);
            a6 = Vector512.FusedMultiplyAdd(a6, y, x); a7 = Vector512.FusedMultiplyAdd(a7, y, x); a8 = Vector512.FusedMultiplyAdd(a8, y, x);
            a9 = Vector512.FusedMultiplyAdd(a9, y, x); a10 = Vector512.FusedMultiplyAdd(a10, y, x); a11 = Vector512.FusedMultiplyAdd(a11, y, x);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
