using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tests.Learning;

namespace Noether.Tests.Probes;

public class BackpropReferenceTests
{
    [Fact]
    public void Equals_the_backward_pass_of_a_backprop_network_and_ignores_feedback_matrices()
    {
        var net = RuleFixture.Net(2, [5, 7, 6, 3]);
        var data = RuleFixture.RandomData(2, 16, 5, 3);
        var x = data.Inputs; var y = data.Targets;
        var loss = new MseLoss<double>();
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(16);
        loss.Evaluate(output, y, new double[2], grad);
        net.Backward(grad);
        var expected = net.Linears.Select(l => l.Weight.Grad.Slice(1).Clone()).ToArray();
        var expectedInput = net.Trace[2].GradInput.Slice(1).Clone();
        // Route the error through random feedback instead: the reference must still give backprop's numbers.
        _ = new RandomFeedback<double>(net, RuleFixture.Streams(3));
        net.Backward(grad);
        var reference = BackpropReference.Compute(net, 1);
        for (int k = 0; k < 3; k++)
            Assert.True(MatrixAlignment.FrobeniusCosine(expected[k].ReadOnlySpan, reference[k].WeightGradient.ReadOnlySpan) > 1 - 1e-12);
        for (int i = 0; i < expectedInput.Length; i++) Assert.Equal(expectedInput[i], reference[2].InputError[i], 12);
        Assert.True(MatrixAlignment.FrobeniusCosine(net.Linears.First().Weight.Grad.Slice(1).ReadOnlySpan, reference[0].WeightGradient.ReadOnlySpan) < 0.999);
    }
}
