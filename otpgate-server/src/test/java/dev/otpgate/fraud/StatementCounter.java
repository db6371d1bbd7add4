package dev.otpgate.fraud;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Records every SQL statement the server sends through its data source, with the thread that sent it and
 * whether it ran inside a transaction, so a test can count the statements of one request.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StatementCounter {

    public record Executed(long threadId, String sql, boolean inTransaction) {}

    public static final List<Executed> EXECUTED = new CopyOnWriteArrayList<>();

    @Bean
    static BeanPostProcessor countingDataSource() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof DataSource dataSource && !(bean instanceof CountingDataSource)) {
                    return new CountingDataSource(dataSource);
                }
                return bean;
            }
        };
    }

    static final class CountingDataSource extends DelegatingDataSource {

        CountingDataSource(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            return wrap(super.getConnection());
        }

        @Override
        public Connection getConnection(String user, String password) throws java.sql.SQLException {
            return wrap(super.getConnection(user, password));
        }

        private static Connection wrap(Connection connection) {
            InvocationHandler handler = (proxy, method, args) -> {
                String name = method.getName();
                if ((name.equals("prepareStatement") || name.equals("prepareCall")) && args != null && args[0] instanceof String sql) {
                    record(sql, connection);
                }
                Object result = invoke(method, connection, args);
                if (name.equals("createStatement") && result instanceof Statement statement) {
                    return wrapStatement(statement, connection);
                }
                return result;
            };
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
        }

        private static Statement wrapStatement(Statement statement, Connection connection) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (method.getName().startsWith("execute") && args != null && args.length > 0 && args[0] instanceof String sql) {
                    record(sql, connection);
                }
                return invoke(method, statement, args);
            };
            return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {Statement.class}, handler);
        }

        private static void record(String sql, Connection connection) throws java.sql.SQLException {
            EXECUTED.add(new Executed(Thread.currentThread().threadId(), sql, !connection.getAutoCommit()));
        }

        private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
