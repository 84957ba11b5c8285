using Noether.Tensors;

namespace Noether.Tests.Engine;

public class WorkerPoolTests
{
    private sealed class CountingJob(int parts, bool blocks = false) : ParallelJob
    {
        public readonly int[] Runs = new int[parts];
        public int FailAt = -1;
        public ParallelJob? Nested;

        public override bool KeepsBlocksOnThreads => blocks;

        public override void RunPart(int part)
        {
            if (part == FailAt) throw new InvalidOperationException($"part {part} failed");
            Interlocked.Increment(ref Runs[part]);
            if (Nested is not null) WorkerPool.Run(Nested, 3, 2);
        }
    }

    [Theory]
    [InlineData(1, false), InlineData(2, false), InlineData(3, false)]
    [InlineData(1, true), InlineData(2, true), InlineData(3, true)]
    public void Every_part_runs_exactly_once_whatever_the_thread_count(int threads, bool blocks)
    {
        // Index order, or each thread starting at its own block and taking what is left (up to 130 parts, past the
        // pool's first table of taken parts).
        for (int repeat = 0; repeat < 400; repeat++)
        {
            var job = new CountingJob(1 + repeat * 13 % 130, blocks);
            WorkerPool.Run(job, job.Runs.Length, threads);
            Assert.All(job.Runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void A_failing_part_surfaces_on_the_caller_and_the_pool_stays_usable()
    {
        var failing = new CountingJob(6) { FailAt = 4 };
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(failing, 6, 2));
        Assert.Contains("part 4", e.Message);
        var next = new CountingJob(5);
        WorkerPool.Run(next, 5, 2);
        Assert.All(next.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void A_nested_run_inside_a_part_completes_on_the_calling_thread()
    {
        var inner = new CountingJob(3);
        var outer = new CountingJob(2) { Nested = inner };
        WorkerPool.Run(outer, 2, 2);
        Assert.All(outer.Runs, r => Assert.Equal(1, r));
        Assert.All(inner.Runs, r => Assert.Equal(2, r));
    }
}
