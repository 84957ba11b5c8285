using Noether.Tensors;
using Noether.Training;
using Xunit;

namespace Noether.Tests.Training;

/// <summary>
/// Per-member data expanded from per-seed sets: members read their seed's set without a copy per member, batches drawn
/// from it are those of a copied set, and only data whose members each own a copy can be changed for one member.
/// </summary>
public class TrainingDataTests
{
    private static TrainingData<double> Seeds(int seeds, int n, int dIn, int dOut)
    {
        var x = new Tensor<double>(seeds, n, dIn);
        var y = new Tensor<double>(seeds, n, dOut);
        new Rng(4).FillNormal(x.Span, 0, 1);
        new Rng(5).FillNormal(y.Span, 0, 1);
        return new TrainingData<double>(x, y, perMember: true);
    }

    [Fact]
    public void Expanded_members_read_their_seeds_set_and_draw_the_batches_of_a_copy()
    {
        var seeds = Seeds(3, 40, 5, 2);
        var shared = seeds.Expand(9, m => m / 3);
        var copied = seeds.Expand(9, m => m / 3, copy: true);
        Assert.Same(seeds.Inputs, shared.Inputs); // no copy per member
        Assert.Equal(9, shared.Members);
        Assert.Equal(9, copied.Members);
        Assert.Equal((40, 5, 2), (shared.Count, shared.InputWidth, shared.TargetWidth));
        int[] rows = [39, 0, 17, 17, 5];
        for (int m = 0; m < 9; m++)
        {
            Assert.Equal(m / 3, shared.SetOf(m));
            Assert.Equal(seeds.MemberInputs(m / 3).ToArray(), shared.MemberInputs(m).ToArray());
            Assert.Equal(seeds.MemberTargets(m / 3).ToArray(), copied.MemberTargets(m).ToArray());
            var (xs, ys) = (new Tensor<double>(9, rows.Length, 5), new Tensor<double>(9, rows.Length, 2));
            var (xc, yc) = (new Tensor<double>(9, rows.Length, 5), new Tensor<double>(9, rows.Length, 2));
            shared.Gather(m, rows, xs, ys);
            copied.Gather(m, rows, xc, yc);
            Assert.Equal(xc.SliceSpan(m).ToArray(), xs.SliceSpan(m).ToArray());
            Assert.Equal(yc.SliceSpan(m).ToArray(), ys.SliceSpan(m).ToArray());
        }
        // Expanding an expanded set maps through it: member m of the second reads set (2m % 9) / 3.
        var again = shared.Expand(4, m => 2 * m % 9);
        Assert.Equal([0, 0, 1, 2], Enumerable.Range(0, 4).Select(again.SetOf).ToArray());
    }

    [Fact]
    public void Only_a_members_own_copy_can_be_changed_and_the_change_stays_with_it()
    {
        var seeds = Seeds(2, 10, 3, 2);
        var shared = seeds.Expand(4, m => m / 2);
        Assert.Throws<InvalidOperationException>(() => shared.OwnTargets(1));
        var copied = seeds.Expand(4, m => m / 2, copy: true);
        var before = copied.MemberTargets(0).ToArray();
        var own = copied.OwnTargets(1);
        for (int i = 0; i < own.Length; i++) own[i] = -own[i];
        Assert.Equal(before, copied.MemberTargets(0).ToArray());
        Assert.Equal(before.Select(v => -v).ToArray(), copied.MemberTargets(1).ToArray());
        Assert.Equal(before, seeds.MemberTargets(0).ToArray());
    }
}
