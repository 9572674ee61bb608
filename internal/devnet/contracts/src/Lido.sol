// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Lido's Lido/stETH contract for the stakewallet devnet.
//
// The public interface (function signatures, events and revert strings) is the
// one of lidofinance/core contracts/0.4.24/Lido.sol and StETH.sol, so that a
// client written against the real stETH works unchanged. The internals are a
// simplification written for the devnet: there are no validators, every
// submitted ether stays buffered in this contract, and a single oracle account
// reports rewards and triggers withdrawal finalization.
//
// MODEL-ONLY entry points (not in the real Lido, restricted to the oracle
// address that the LidoLocator returns from accountingOracle()):
//   - handleOracleReport(uint256,uint256,uint256) payable: see its comment.
//   - pauseStaking(), resumeStaking(), setStakingLimit(uint256,uint256),
//     removeStakingLimit(): the real signatures, but guarded by the oracle
//     instead of the real STAKING_PAUSE_ROLE / STAKING_CONTROL_ROLE.
//   - initialize(address): one-time wiring to the locator, callable only by the
//     deployer (the real Lido is initialized through its Aragon proxy).
//   - getOracle(), getLastReportTimestamp(): views the devnet oracle uses.

interface ILidoLocatorModel {
    function lido() external view returns (address);
    function withdrawalQueue() external view returns (address);
    function accountingOracle() external view returns (address);
}

interface IWithdrawalQueueModel {
    function calculateFinalization(uint256 _maxShareRate, uint256 _maxTimestamp, uint256 _maxRequestId)
        external
        view
        returns (uint256 lastRequestIdToFinalize, uint256 ethToLock, uint256 sharesToBurn);
    function finalize(uint256 _lastRequestIdToBeFinalized, uint256 _maxShareRate) external payable;
    function getLastFinalizedRequestId() external view returns (uint256);
    function isPaused() external view returns (bool);
}

contract Lido {
    // ---- ERC-20 metadata ----
    string public constant name = "Liquid staked Ether 2.0";
    string public constant symbol = "stETH";
    uint8 public constant decimals = 18;

    /// Allowance value that is never decreased by transferFrom (as in StETH.sol).
    uint256 internal constant INFINITE_ALLOWANCE = type(uint256).max;
    /// Receiver of the shares minted for the bootstrap deposit, as in the real
    /// Lido, so that the share rate is defined from the first block.
    address internal constant INITIAL_TOKEN_HOLDER = 0x000000000000000000000000000000000000dEaD;
    /// Share rate precision used by the withdrawal queue.
    uint256 internal constant E27_PRECISION_BASE = 1e27;

    // ---- share accounting ----
    mapping(address => uint256) private shares;
    mapping(address => mapping(address => uint256)) private allowances;
    /// ERC-2612 nonces (StETHPermit.noncesByAddress).
    mapping(address => uint256) internal noncesByAddress;
    uint256 private totalShares;
    /// All pooled ether: the model has no validators, so everything is buffered.
    uint256 private bufferedEther;

    // ---- stake limit (StakeLimitUtils semantics) ----
    bool private stakingIsPaused;
    uint256 private stakeLimitMax; // 0 = no limit set
    uint256 private stakeLimitGrowthBlocks;
    uint256 private stakeLimitPrev;
    uint256 private stakeLimitPrevBlock;

    // ---- wiring ----
    address private deployer;
    address private lidoLocator;
    address private withdrawalQueue;
    address private oracle;
    uint256 private lastReportTimestamp;

    // ---- events (real signatures) ----
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event TransferShares(address indexed from, address indexed to, uint256 sharesValue);
    event SharesBurnt(
        address indexed account, uint256 preRebaseTokenAmount, uint256 postRebaseTokenAmount, uint256 sharesAmount
    );
    event Submitted(address indexed sender, uint256 amount, address referral);
    event StakingPaused();
    event StakingResumed();
    event StakingLimitSet(uint256 maxStakeLimit, uint256 stakeLimitIncreasePerBlock);
    event StakingLimitRemoved();
    event TokenRebased(
        uint256 indexed reportTimestamp,
        uint256 timeElapsed,
        uint256 preTotalShares,
        uint256 preTotalEther,
        uint256 postTotalShares,
        uint256 postTotalEther,
        uint256 sharesMintedAsFees
    );
    event LidoLocatorSet(address lidoLocator);

    /// @param _maxStakeLimit initial stake limit in wei (0 = unlimited)
    /// @param _stakeLimitIncreasePerBlock how fast the limit regenerates
    /// @dev msg.value is the bootstrap deposit, minted as shares to 0xdead.
    constructor(uint256 _maxStakeLimit, uint256 _stakeLimitIncreasePerBlock) payable {
        deployer = msg.sender;
        if (_maxStakeLimit != 0) {
            _setStakingLimit(_maxStakeLimit, _stakeLimitIncreasePerBlock);
        }
        if (msg.value != 0) {
            bufferedEther = msg.value;
            _mintShares(INITIAL_TOKEN_HOLDER, msg.value);
            _emitTransferAfterMintingShares(INITIAL_TOKEN_HOLDER, msg.value);
        }
        lastReportTimestamp = block.timestamp;
    }

    /// MODEL-ONLY: wires the contract to its locator (queue and oracle).
    function initialize(address _lidoLocator) external {
        require(msg.sender == deployer, "APP_AUTH_FAILED");
        require(lidoLocator == address(0), "INIT_ALREADY_INITIALIZED");
        require(_lidoLocator != address(0), "LIDO_LOCATOR_ZERO_ADDRESS");
        ILidoLocatorModel locator = ILidoLocatorModel(_lidoLocator);
        require(locator.lido() == address(this), "LIDO_LOCATOR_MISMATCH");
        lidoLocator = _lidoLocator;
        withdrawalQueue = locator.withdrawalQueue();
        oracle = locator.accountingOracle();
        deployer = address(0);
        emit LidoLocatorSet(_lidoLocator);
    }

    // =====================================================================
    // Staking
    // =====================================================================

    /// Plain ether transfers stake, like the real Lido's fallback.
    receive() external payable {
        _submit(address(0));
    }

    /// Any call with unknown calldata lands here; the real Lido's fallback
    /// rejects non-empty calldata with the same reason.
    fallback() external payable {
        revert("NON_EMPTY_DATA");
    }

    function submit(address _referral) external payable returns (uint256) {
        return _submit(_referral);
    }

    function _submit(address _referral) internal returns (uint256 sharesAmount) {
        require(msg.value != 0, "ZERO_DEPOSIT");
        require(!stakingIsPaused, "STAKING_PAUSED");
        if (stakeLimitMax != 0) {
            uint256 currentStakeLimit = _calculateCurrentStakeLimit();
            require(msg.value <= currentStakeLimit, "STAKE_LIMIT");
            stakeLimitPrev = currentStakeLimit - msg.value;
            stakeLimitPrevBlock = block.number;
        }

        sharesAmount = getSharesByPooledEth(msg.value);
        _mintShares(msg.sender, sharesAmount);
        bufferedEther += msg.value;

        emit Submitted(msg.sender, msg.value, _referral);
        _emitTransferAfterMintingShares(msg.sender, sharesAmount);
    }

    function isStakingPaused() external view returns (bool) {
        return stakingIsPaused;
    }

    /// type(uint256).max when no limit is set, 0 when paused.
    function getCurrentStakeLimit() public view returns (uint256) {
        if (stakingIsPaused) return 0;
        if (stakeLimitMax == 0) return type(uint256).max;
        return _calculateCurrentStakeLimit();
    }

    /// The return names are the real ABI's; solc warns that isStakingPaused
    /// shadows the function of that name, which is harmless here.
    function getStakeLimitFullInfo()
        external
        view
        returns (
            bool isStakingPaused,
            bool isStakingLimitSet,
            uint256 currentStakeLimit,
            uint256 maxStakeLimit,
            uint256 maxStakeLimitGrowthBlocks,
            uint256 prevStakeLimit,
            uint256 prevStakeBlockNumber
        )
    {
        isStakingPaused = stakingIsPaused;
        isStakingLimitSet = stakeLimitMax != 0;
        currentStakeLimit = getCurrentStakeLimit();
        maxStakeLimit = stakeLimitMax;
        maxStakeLimitGrowthBlocks = stakeLimitGrowthBlocks;
        prevStakeLimit = stakeLimitPrev;
        prevStakeBlockNumber = stakeLimitPrevBlock;
    }

    function pauseStaking() external onlyOracle {
        stakingIsPaused = true;
        emit StakingPaused();
    }

    function resumeStaking() external onlyOracle {
        stakingIsPaused = false;
        emit StakingResumed();
    }

    function setStakingLimit(uint256 _maxStakeLimit, uint256 _stakeLimitIncreasePerBlock) external onlyOracle {
        require(_maxStakeLimit != 0, "ZERO_MAX_STAKE_LIMIT");
        _setStakingLimit(_maxStakeLimit, _stakeLimitIncreasePerBlock);
    }

    function removeStakingLimit() external onlyOracle {
        stakeLimitMax = 0;
        stakeLimitGrowthBlocks = 0;
        stakeLimitPrev = 0;
        emit StakingLimitRemoved();
    }

    function _setStakingLimit(uint256 _maxStakeLimit, uint256 _stakeLimitIncreasePerBlock) internal {
        require(_stakeLimitIncreasePerBlock <= _maxStakeLimit, "TOO_LARGE_LIMIT_INCREASE");
        // A lowered maximum clips what is available now; a raised one does
        // not refill it at once (as StakeLimitUtils.setStakingLimit).
        uint256 current = stakeLimitMax == 0 ? _maxStakeLimit : _calculateCurrentStakeLimit();
        stakeLimitPrev = current > _maxStakeLimit ? _maxStakeLimit : current;
        stakeLimitPrevBlock = block.number;
        stakeLimitMax = _maxStakeLimit;
        stakeLimitGrowthBlocks = _stakeLimitIncreasePerBlock == 0 ? 0 : _maxStakeLimit / _stakeLimitIncreasePerBlock;
        emit StakingLimitSet(_maxStakeLimit, _stakeLimitIncreasePerBlock);
    }

    function _calculateCurrentStakeLimit() internal view returns (uint256) {
        uint256 increasePerBlock = stakeLimitGrowthBlocks == 0 ? 0 : stakeLimitMax / stakeLimitGrowthBlocks;
        uint256 projected = stakeLimitPrev + (block.number - stakeLimitPrevBlock) * increasePerBlock;
        return projected > stakeLimitMax ? stakeLimitMax : projected;
    }

    // =====================================================================
    // Oracle (MODEL-ONLY)
    // =====================================================================

    /// MODEL-ONLY oracle report. Mirrors the real
    /// AccountingOracle -> Lido.handleOracleReport -> WithdrawalQueue.finalize
    /// flow in one call:
    ///   1. msg.value is credited to the pool as consensus-layer rewards, and
    ///      _clPenalty wei is taken out of it as a slashing loss (sent to the
    ///      oracle, so the ether leaves the pool); the share rate moves.
    ///   2. Every unfinalized request created at or before
    ///      block.timestamp - _requestTimestampMargin, with id at most
    ///      _maxRequestIdToFinalize, is finalized at the post-report share rate
    ///      (the real protocol's simulatedShareRate): the needed ether is sent
    ///      to the queue with finalize{value}() and the queue's stETH shares are
    ///      burnt.
    ///   3. TokenRebased is emitted with the real signature.
    /// @return lastFinalizedRequestId the queue's last finalized id afterwards
    /// @return ethLocked ether sent to the queue by this report
    /// @return sharesBurnt shares burnt by this report
    function handleOracleReport(
        uint256 _requestTimestampMargin,
        uint256 _maxRequestIdToFinalize,
        uint256 _clPenalty
    ) external payable onlyOracle returns (uint256 lastFinalizedRequestId, uint256 ethLocked, uint256 sharesBurnt) {
        uint256 preTotalShares = totalShares;
        uint256 preTotalEther = bufferedEther;
        uint256 timeElapsed = block.timestamp - lastReportTimestamp;

        require(_clPenalty <= bufferedEther + msg.value, "PENALTY_EXCEEDS_POOL");
        bufferedEther = bufferedEther + msg.value - _clPenalty;

        (lastFinalizedRequestId, ethLocked, sharesBurnt) =
            _finalizeWithdrawals(_requestTimestampMargin, _maxRequestIdToFinalize);

        lastReportTimestamp = block.timestamp;
        emit TokenRebased(block.timestamp, timeElapsed, preTotalShares, preTotalEther, totalShares, bufferedEther, 0);

        if (_clPenalty != 0) {
            (bool ok,) = msg.sender.call{value: _clPenalty}("");
            require(ok, "PENALTY_TRANSFER_FAILED");
        }
    }

    function _finalizeWithdrawals(uint256 _requestTimestampMargin, uint256 _maxRequestIdToFinalize)
        internal
        returns (uint256 lastFinalizedRequestId, uint256 ethToLock, uint256 sharesToBurn)
    {
        IWithdrawalQueueModel queue = IWithdrawalQueueModel(withdrawalQueue);
        lastFinalizedRequestId = queue.getLastFinalizedRequestId();
        // A paused queue finalizes nothing, as in the real protocol; rewards
        // are still credited.
        if (totalShares == 0 || block.timestamp < _requestTimestampMargin || queue.isPaused()) {
            return (lastFinalizedRequestId, 0, 0);
        }
        uint256 maxShareRate = bufferedEther * E27_PRECISION_BASE / totalShares;
        uint256 lastId;
        (lastId, ethToLock, sharesToBurn) = queue.calculateFinalization(
            maxShareRate, block.timestamp - _requestTimestampMargin, _maxRequestIdToFinalize
        );
        if (lastId <= lastFinalizedRequestId) {
            return (lastFinalizedRequestId, 0, 0);
        }
        // Burn first so that SharesBurnt reports amounts at the report's
        // share rate, then move the ether to the queue.
        _burnShares(address(queue), sharesToBurn);
        bufferedEther -= ethToLock;
        queue.finalize{value: ethToLock}(lastId, maxShareRate);
        lastFinalizedRequestId = lastId;
    }

    function getOracle() external view returns (address) {
        return oracle;
    }

    function getLastReportTimestamp() external view returns (uint256) {
        return lastReportTimestamp;
    }

    function getLidoLocator() external view returns (address) {
        return lidoLocator;
    }

    modifier onlyOracle() {
        require(oracle != address(0) && msg.sender == oracle, "APP_AUTH_FAILED");
        _;
    }

    // =====================================================================
    // Pool views
    // =====================================================================

    function getTotalPooledEther() external view returns (uint256) {
        return bufferedEther;
    }

    function getBufferedEther() external view returns (uint256) {
        return bufferedEther;
    }

    function getTotalShares() external view returns (uint256) {
        return totalShares;
    }

    function sharesOf(address _account) external view returns (uint256) {
        return shares[_account];
    }

    function getSharesByPooledEth(uint256 _ethAmount) public view returns (uint256) {
        // The pool is never empty once bootstrapped; 1:1 covers a deployment
        // made without a bootstrap deposit.
        if (totalShares == 0 || bufferedEther == 0) return _ethAmount;
        return _ethAmount * totalShares / bufferedEther;
    }

    function getPooledEthByShares(uint256 _sharesAmount) public view returns (uint256) {
        if (totalShares == 0) return _sharesAmount;
        return _sharesAmount * bufferedEther / totalShares;
    }

    function getPooledEthBySharesRoundUp(uint256 _sharesAmount) public view returns (uint256 etherAmount) {
        if (totalShares == 0) return _sharesAmount;
        uint256 numerator = _sharesAmount * bufferedEther;
        etherAmount = numerator / totalShares;
        if (etherAmount * totalShares != numerator) {
            ++etherAmount;
        }
    }

    // =====================================================================
    // ERC-20
    // =====================================================================

    function totalSupply() external view returns (uint256) {
        return bufferedEther;
    }

    function balanceOf(address _account) external view returns (uint256) {
        return getPooledEthByShares(shares[_account]);
    }

    function allowance(address _owner, address _spender) external view returns (uint256) {
        return allowances[_owner][_spender];
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        _approve(msg.sender, _spender, _amount);
        return true;
    }

    function increaseAllowance(address _spender, uint256 _addedValue) external returns (bool) {
        _approve(msg.sender, _spender, allowances[msg.sender][_spender] + _addedValue);
        return true;
    }

    function decreaseAllowance(address _spender, uint256 _subtractedValue) external returns (bool) {
        uint256 currentAllowance = allowances[msg.sender][_spender];
        require(currentAllowance >= _subtractedValue, "ALLOWANCE_BELOW_ZERO");
        _approve(msg.sender, _spender, currentAllowance - _subtractedValue);
        return true;
    }

    function transfer(address _recipient, uint256 _amount) external returns (bool) {
        _transfer(msg.sender, _recipient, _amount);
        return true;
    }

    function transferFrom(address _sender, address _recipient, uint256 _amount) external returns (bool) {
        _spendAllowance(_sender, msg.sender, _amount);
        _transfer(_sender, _recipient, _amount);
        return true;
    }

    function transferShares(address _recipient, uint256 _sharesAmount) external returns (uint256) {
        _transferShares(msg.sender, _recipient, _sharesAmount);
        uint256 tokensAmount = getPooledEthByShares(_sharesAmount);
        _emitTransferEvents(msg.sender, _recipient, tokensAmount, _sharesAmount);
        return tokensAmount;
    }

    function transferSharesFrom(address _sender, address _recipient, uint256 _sharesAmount)
        external
        returns (uint256)
    {
        uint256 tokensAmount = getPooledEthBySharesRoundUp(_sharesAmount);
        _spendAllowance(_sender, msg.sender, tokensAmount);
        _transferShares(_sender, _recipient, _sharesAmount);
        _emitTransferEvents(_sender, _recipient, tokensAmount, _sharesAmount);
        return tokensAmount;
    }

    function _transfer(address _sender, address _recipient, uint256 _amount) internal {
        uint256 sharesToTransfer = getSharesByPooledEth(_amount);
        _transferShares(_sender, _recipient, sharesToTransfer);
        _emitTransferEvents(_sender, _recipient, _amount, sharesToTransfer);
    }

    // ---- ERC-2612 permit (StETHPermit.sol + EIP712StETH.sol semantics) ----
    // The real stETH delegates the domain to an EIP712StETH helper contract;
    // the model computes the same domain inline: name "Liquid staked Ether
    // 2.0", version "2", the chain's id, verifyingContract = this stETH.

    /// keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function permit(
        address _owner, address _spender, uint256 _value, uint256 _deadline, uint8 _v, bytes32 _r, bytes32 _s
    ) external {
        require(block.timestamp <= _deadline, "ERC20Permit: expired deadline");
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, _owner, _spender, _value, _useNonce(_owner), _deadline)
        );
        bytes32 hash = keccak256(abi.encodePacked("\x19\x01", _domainSeparatorV4(), structHash));
        require(_recover(hash, _v, _r, _s) == _owner, "invalid signature");
        _approve(_owner, _spender, _value);
    }

    function nonces(address owner) external view returns (uint256) {
        return noncesByAddress[owner];
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// The shortened ERC-5267 view of the real stETH (no fields, salt, extensions).
    function eip712Domain()
        external
        view
        returns (string memory name, string memory version, uint256 chainId, address verifyingContract)
    {
        return ("Liquid staked Ether 2.0", "2", block.chainid, address(this));
    }

    function _domainSeparatorV4() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_DOMAIN_TYPEHASH, keccak256("Liquid staked Ether 2.0"), keccak256("2"), block.chainid, address(this)
            )
        );
    }

    function _useNonce(address _owner) internal returns (uint256 current) {
        current = noncesByAddress[_owner];
        noncesByAddress[_owner] = current + 1;
    }

    /// Lido's common/lib/ECDSA.sol recover (EOA signers only in the model;
    /// the real stETH also accepts ERC-1271 contract signatures).
    function _recover(bytes32 _hash, uint8 _v, bytes32 _r, bytes32 _s) internal pure returns (address signer) {
        require(
            uint256(_s) <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0,
            "ECDSA: invalid signature 's' value"
        );
        signer = ecrecover(_hash, _v, _r, _s);
        require(signer != address(0), "ECDSA: invalid signature");
    }

    function _approve(address _owner, address _spender, uint256 _amount) internal {
        require(_owner != address(0), "APPROVE_FROM_ZERO_ADDR");
        require(_spender != address(0), "APPROVE_TO_ZERO_ADDR");
        allowances[_owner][_spender] = _amount;
        emit Approval(_owner, _spender, _amount);
    }

    function _spendAllowance(address _owner, address _spender, uint256 _amount) internal {
        uint256 currentAllowance = allowances[_owner][_spender];
        if (currentAllowance != INFINITE_ALLOWANCE) {
            require(currentAllowance >= _amount, "ALLOWANCE_EXCEEDED");
            _approve(_owner, _spender, currentAllowance - _amount);
        }
    }

    function _transferShares(address _sender, address _recipient, uint256 _sharesAmount) internal {
        require(_sender != address(0), "TRANSFER_FROM_ZERO_ADDR");
        require(_recipient != address(0), "TRANSFER_TO_ZERO_ADDR");
        require(_recipient != address(this), "TRANSFER_TO_STETH_CONTRACT");
        uint256 currentSenderShares = shares[_sender];
        require(_sharesAmount <= currentSenderShares, "BALANCE_EXCEEDED");
        shares[_sender] = currentSenderShares - _sharesAmount;
        shares[_recipient] += _sharesAmount;
    }

    function _mintShares(address _recipient, uint256 _sharesAmount) internal {
        require(_recipient != address(0), "MINT_TO_ZERO_ADDR");
        totalShares += _sharesAmount;
        shares[_recipient] += _sharesAmount;
    }

    function _burnShares(address _account, uint256 _sharesAmount) internal {
        require(_account != address(0), "BURN_FROM_ZERO_ADDR");
        uint256 accountShares = shares[_account];
        require(_sharesAmount <= accountShares, "BALANCE_EXCEEDED");
        uint256 preRebaseTokenAmount = getPooledEthByShares(_sharesAmount);
        shares[_account] = accountShares - _sharesAmount;
        totalShares -= _sharesAmount;
        uint256 postRebaseTokenAmount = getPooledEthByShares(_sharesAmount);
        emit SharesBurnt(_account, preRebaseTokenAmount, postRebaseTokenAmount, _sharesAmount);
    }

    function _emitTransferEvents(address _from, address _to, uint256 _tokenAmount, uint256 _sharesAmount) internal {
        emit Transfer(_from, _to, _tokenAmount);
        emit TransferShares(_from, _to, _sharesAmount);
    }

    function _emitTransferAfterMintingShares(address _to, uint256 _sharesAmount) internal {
        _emitTransferEvents(address(0), _to, getPooledEthByShares(_sharesAmount), _sharesAmount);
    }
}
