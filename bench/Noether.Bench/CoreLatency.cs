using System.Diagnostics;

namespace Noether.Bench;

/// <summary>
/// How far apart the two CPUs the benchmark's threads run on are: the round trip of one cache line between two
/// spinning threads. On the 2-vCPU host of bench/README.md it is either about 80–130 ns or about 360–480 ns for
/// seconds to minutes at a time, as the hypervisor places the vCPUs, and two-thread steps that share data between
/// the threads (bench (b)) are about 1.4× slower in the far placement; run.sh reports it beside each such run.
/// </summary>
public static class CoreLatency
{
    /// <summary>Median over 5 rounds of the mean round trip (ns) of <paramref name="trips"/> cache-line hand-overs each way.</summary>
    public static double RoundTripNs(int trips = 40_000)
    {
        var rounds = new double[5];
        for (int r = 0; r < rounds.Length; r++) rounds[r] = Round(trips);
        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }

    private static double Round(int trips)
    {
        // One long per cache line, with the flag in the middle of a 128-byte block so no neighbour shares its line.
        var line = new long[32];
        line[16] = -1;
        var echo = new Thread(() =>
        {
            // Announce that this thread runs, then answer each odd value with the next even one.
            Volatile.Write(ref line[16], 0);
            for (long i = 1; i <= trips; i++)
            {
                while (Volatile.Read(ref line[16]) != 2 * i - 1) Thread.SpinWait(1);
                Volatile.Write(ref line[16], 2 * i);
            }
        }) { IsBackground = true };
        echo.Start();
        while (Volatile.Read(ref line[16]) != 0) Thread.SpinWait(1);
        var clock = Stopwatch.StartNew();
        for (long i = 1; i <= trips; i++)
        {
            Volatile.Write(ref line[16], 2 * i - 1);
            while (Volatile.Read(ref line[16]) != 2 * i) Thread.SpinWait(1);
        }
        clock.Stop();
        echo.Join();
        return clock.Elapsed.TotalNanoseconds / trips;
    }
}
