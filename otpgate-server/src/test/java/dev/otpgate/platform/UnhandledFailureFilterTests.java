package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/** What escapes every handler is answered and logged here, without the message that can quote the request. */
@ExtendWith(OutputCaptureExtension.class)
class UnhandledFailureFilterTests {

    private final UnhandledFailureFilter filter = new UnhandledFailureFilter(new ProblemWriter(JsonMapper.builder().build()), false);

    @Test
    void failureWhenItEscapesTheChainThenA500ProblemAnswersAndTheLogHasItsClassAndFramesButNotItsMessage_S45_S47(
            CapturedOutput output) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/apps");
        request.setSecure(true);
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> {
            throw new IllegalStateException("parameter [to] with value [+12125550177]",
                    new IllegalArgumentException("otpg_inner_secret"));
        });

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getContentAsString()).contains("internal-error").doesNotContain("12125550177");
        assertThat(response.getHeader("Strict-Transport-Security")).contains("max-age=31536000");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(output.getAll()).contains("Unhandled failure (IllegalStateException)")
                .contains("java.lang.IllegalStateException (message withheld)")
                .contains("java.lang.IllegalArgumentException (message withheld)")
                .contains("UnhandledFailureFilterTests")
                .doesNotContain("12125550177").doesNotContain("otpg_inner_secret");
    }

    @Test
    void failureWhenTheClientWentAwayThenItIsPassedOnUnloggedForTheContainerToClose(CapturedOutput output) {
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThatThrownBy(() -> filter.doFilter(new MockHttpServletRequest("GET", "/v1/apps"), response, (req, res) -> {
            throw new ClientAbortException("broken pipe");
        })).isInstanceOf(ClientAbortException.class);
        assertThat(output.getAll()).doesNotContain("Unhandled failure");
    }
}
